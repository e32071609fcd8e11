// What a page must load to host plugins: the main entries of @plinth/protocol, @plinth/permissions,
// @plinth/runtime and @plinth/host-browser, and @plinth/runtime/browser (the worker lane), with what they
// import (zod, semver, picomatch, the Extism SDK's browser build, …), bundled for the browser by esbuild,
// minified, then gzipped at level 9. The worker lane's own script (@plinth/runtime/browser/lane-worker),
// fetched by each lane worker, and the WASI runner's (@plinth/host-browser/wasi-worker), fetched by each
// WASI run, are measured the same way on their own. `pnpm bench` prints both;
// test/page-size.test.ts holds the page under PAGE_GZIP_BUDGET_BYTES.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** The most gzipped bytes a page may load for Plinth (see the README's figures). */
export const PAGE_GZIP_BUDGET_BYTES = 256 * 1024;

const ENTRY = [
  "export * from '@plinth/protocol';",
  "export * from '@plinth/permissions';",
  "export * from '@plinth/runtime';",
  "export * from '@plinth/host-browser';",
  "export * from '@plinth/runtime/browser';",
].join('\n');
const WORKER_ENTRY = "import '@plinth/runtime/browser/lane-worker';";
const WASI_WORKER_ENTRY = "import '@plinth/host-browser/wasi-worker';";

/** Bundles the page's Plinth code and answers its minified and gzipped sizes in bytes. */
export function measurePageSize() {
  return measure(ENTRY);
}

/** The same for the worker lane's script. */
export function measureWorkerSize() {
  return measure(WORKER_ENTRY);
}

/** The same for the WASI runner's worker script. */
export function measureWasiWorkerSize() {
  return measure(WASI_WORKER_ENTRY);
}

async function measure(contents) {
  const result = await build({
    stdin: { contents, resolveDir: dirname(fileURLToPath(import.meta.url)), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'error',
  });
  const bytes = result.outputFiles[0].contents;
  return { minifiedBytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}

if (fileURLToPath(import.meta.url) === process.argv[1]) {
  const { minifiedBytes, gzipBytes } = await measurePageSize();
  const worker = await measureWorkerSize();
  const wasiWorker = await measureWasiWorkerSize();
  const kib = (n) => (n / 1024).toFixed(1);
  console.log(
    `page size (protocol + permissions + runtime + runtime/browser + host-browser, esbuild --minify, gzip -9): ` +
      `${kib(minifiedBytes)} KiB minified, ${kib(gzipBytes)} KiB gzipped; budget ${kib(PAGE_GZIP_BUDGET_BYTES)} KiB gzipped`,
  );
  console.log(
    `worker lane script (runtime/browser/lane-worker): ${kib(worker.minifiedBytes)} KiB minified, ${kib(worker.gzipBytes)} KiB gzipped`,
  );
  console.log(
    `WASI worker script (host-browser/wasi-worker): ${kib(wasiWorker.minifiedBytes)} KiB minified, ${kib(wasiWorker.gzipBytes)} KiB gzipped`,
  );
  if (gzipBytes > PAGE_GZIP_BUDGET_BYTES) process.exitCode = 1;
}
