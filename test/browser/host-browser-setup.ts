import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { respondToHttpContractRequest } from '@plinth/testkit/contracts';
import { build } from 'esbuild';
import { CHROMIUM } from './global-setup.js';
import { openPageBridge, type PageBridge } from './page-bridge.js';

// What the host-browser test files share: the page script (host-browser-page.ts), the README's example and
// the WASI runner's worker script, bundled by esbuild and served from a loopback server that also answers the HTTP contract's routes (so
// they are same-origin for the page's fetch), and Chromium opened on it through the page bridge.

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * A README's or guide's example that runs in Chromium: the TypeScript block after the marker
 * `<!-- runs in Chromium: test/browser/<testFile> -->` in `doc` (a path from the repo root).
 */
export function readmeExample(doc: string, testFile: string): string {
  const readme = fileURLToPath(new URL(`../../${doc}`, import.meta.url));
  const marker = `<!-- runs in Chromium: test/browser/${testFile} -->`;
  const text = readFileSync(readme, 'utf8');
  const open = text.indexOf('```ts\n', text.indexOf(marker));
  const close = text.indexOf('\n```', open);
  if (text.indexOf(marker) === -1 || open === -1 || close === -1) {
    throw new Error(`${readme} has no example after ${marker}`);
  }
  return text.slice(open + '```ts\n'.length, close + 1);
}

/** A browser bundle of one module (ES2022+, as Chromium runs it). */
export async function bundle(entry: { file: string } | { contents: string; name: string }): Promise<string> {
  const result = await build({
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.contents, loader: 'ts', resolveDir: here, sourcefile: entry.name } }),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

/** The test page in Chromium, and its loopback origin. */
export interface HostBrowserPage {
  bridge: PageBridge;
  /** e.g. `http://127.0.0.1:54321`: the page's origin, where the HTTP contract's routes answer too. */
  origin: string;
  /** Closes Chromium and the server; answers the script and console errors the page reported. */
  close(): Promise<string[]>;
}

/** Bundles the page and the README example, serves them on loopback and opens Chromium on the page. */
export async function openHostBrowserPage(): Promise<HostBrowserPage> {
  const scripts: Record<string, string> = {
    '/page.js': await bundle({ file: fileURLToPath(new URL('./host-browser-page.ts', import.meta.url)) }),
    '/readme.js': await bundle({
      contents: readmeExample('packages/host-browser/README.md', 'host-browser.test.ts'),
      name: 'README example',
    }),
    // What a page's build does with the WASI runner's worker script: bundles the published entry on its
    // own, served beside page.js, where the runner's default URL points.
    '/wasi-worker.js': await bundle({
      contents: "import '@plinth/host-browser/wasi-worker';",
      name: 'wasi-worker entry',
    }),
  };
  const { server, origin } = await listen((request, response, body) => {
    if (request.url === '/') {
      const page =
        '<!doctype html><meta charset="utf-8"><title>host-browser</title><script type="module" src="/page.js"></script>';
      return response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    }
    const served = scripts[request.url ?? ''];
    if (served !== undefined) {
      return response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(served);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers))
      if (typeof value === 'string') headers[name] = value;
    const answer = respondToHttpContractRequest({
      method: request.method ?? 'GET',
      path: request.url ?? '/',
      headers,
      body,
    });
    return response.writeHead(answer.status, answer.headers).end(answer.body);
  });
  let bridge: PageBridge;
  try {
    bridge = await openPageBridge({ url: `${origin}/`, executablePath: CHROMIUM });
  } catch (error) {
    await stop(server);
    throw error;
  }
  return {
    bridge,
    origin,
    close: async () => {
      try {
        const problems = await bridge.problems();
        await bridge.close();
        return problems;
      } finally {
        await stop(server);
      }
    },
  };
}

/** A loopback server; the handler gets the whole request body. */
export async function listen(
  handle: (request: IncomingMessage, response: ServerResponse, body: Uint8Array) => unknown,
): Promise<{ server: Server; origin: string }> {
  const created = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, new Uint8Array(Buffer.concat(chunks))));
  });
  await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', resolve));
  return { server: created, origin: `http://127.0.0.1:${(created.address() as AddressInfo).port}` };
}

export const stop = (stopping: Server | undefined) =>
  new Promise((resolve) => {
    if (stopping === undefined) return resolve(undefined);
    stopping.closeAllConnections();
    stopping.close(resolve);
  });

/** A service whose methods are answered by the page, at once. */
export function proxied<T>(methods: readonly string[], run: (method: string, args: unknown[]) => unknown): T {
  return Object.fromEntries(
    methods.map((method) => [method, (...args: unknown[]) => run(method, args)]),
  ) as T;
}

let opened = 0;
/** A name no earlier test of the file used, for a database or a directory. */
export const fresh = (kind: string) => `${kind}-${(opened += 1)}`;
