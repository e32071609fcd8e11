// The lanes on a page in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core), against
// raw @extism/extism 2.0.0-rc13's browser build in the same page (in-thread, and its own worker mode with
// the reset() it needs after each call), same guest (the golden C guest's ping and
// greet, as bench/in-thread.bench.ts and bench/isolated-lane.bench.ts do on Node). The sides alternate in
// blocks (bench/alternating-blocks.ts, bundled into the page); ratios are medians of per-block ratios.
// The page is cross-origin isolated (the worker lane needs SharedArrayBuffer), where Chromium's clock has
// 5 µs resolution: blocks of 100 calls keep that under 0.1 µs per call.
//   pnpm bench     (needs `pnpm build` and Debian's chromium)
/* global window */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath, URL } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const here = fileURLToPath(new URL('.', import.meta.url));
const GUEST = readFileSync(new URL('../../guests/corpus/golden/c-protocol/plugin.wasm', import.meta.url));

const PAGE = `
import createPlugin from '@extism/extism';
import { HOST_FUNCTION_NAMESPACE } from '@plinth/protocol';
import { createInThreadLane, resolveLimits } from '../dist/index.js';
import { createWorkerLane } from '../dist/browser/index.js';
import { compareAlternating } from './alternating-blocks.ts';

const context = { pluginId: 'plinth-golden.c', exportName: 'handle_command' };
const bundle = { host_log: () => '', host_get_timestamp: () => '1700000000000' };
const rawFunctions = {
  [HOST_FUNCTION_NAMESPACE]: {
    host_log: (ctx) => ctx.store(''),
    host_get_timestamp: (ctx) => ctx.store('1700000000000'),
  },
};

window.runBench = async (inputs) => {
  const module = await WebAssembly.compile(await (await fetch('/guest.wasm')).arrayBuffer());
  const limits = resolveLimits();
  const raw = await createPlugin(module, { useWasi: false, functions: rawFunctions });
  const inThread = await createInThreadLane({ module, bundle, limits });
  const worker = await createWorkerLane({ module, bundle, limits, workerUrl: '/lane-worker.js' });
  // rc13's own worker mode, with the reset() it needs after every call to keep running (as on Node).
  const rawWorker = await createPlugin(module, { useWasi: false, functions: rawFunctions, runInWorker: true });
  const results = {};
  for (const [name, input] of Object.entries(inputs)) {
    results[name] = {
      inThread: await compareAlternating({
        sides: [
          { name: 'raw rc13 in-thread', call: () => raw.call('handle_command', input) },
          { name: 'Plinth in-thread lane', call: () => inThread.call('handle_command', input, context) },
        ],
        blocks: 200,
        warmupBlocks: 20,
      }),
      worker: await compareAlternating({
        sides: [
          {
            name: 'raw rc13 worker + reset()',
            call: async () => {
              await rawWorker.call('handle_command', input);
              await rawWorker.reset();
            },
          },
          { name: 'Plinth worker lane', call: () => worker.call('handle_command', input, context) },
        ],
        blocks: 100,
        warmupBlocks: 10,
      }),
    };
  }
  await rawWorker.close();
  await worker.close();
  await inThread.close();
  await raw.close();
  return results;
};
`;

async function bundle(options) {
  const result = await build({
    ...options,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles[0].text;
}

const files = {
  '/': [
    'text/html',
    '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="/page.js"></script>',
  ],
  '/page.js': [
    'text/javascript',
    await bundle({ stdin: { contents: PAGE, resolveDir: here, loader: 'js' } }),
  ],
  '/lane-worker.js': [
    'text/javascript',
    await bundle({
      stdin: { contents: "import '../dist/browser/lane-worker.js';", resolveDir: here, loader: 'js' },
    }),
  ],
  '/guest.wasm': ['application/wasm', GUEST],
};
const server = createServer((request, response) => {
  const file = files[request.url ?? '/'];
  const isolated = {
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  };
  if (file === undefined) return response.writeHead(404, isolated).end();
  response.writeHead(200, { ...isolated, 'content-type': file[0] }).end(file[1]);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox'],
});
try {
  // Idle, then with one core kept busy by a spinning child process, as the Node lane benches do.
  for (const condition of ['idle', 'one core busy']) {
    const busy =
      condition === 'one core busy'
        ? spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })
        : undefined;
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${server.address().port}/`);
      await page.waitForFunction(() => 'runBench' in window);
      const results = await page.evaluate((inputs) => window.runBench(inputs), {
        ping: JSON.stringify({ command: 'ping', params: null }),
        greet: JSON.stringify({ command: 'greet', params: { name: 'Zoë' } }),
      });
      await page.close();
      console.log(
        `Lanes in Chromium, ${condition} (golden C guest; alternating blocks of 100 calls; µs per call; median of block ratios)`,
      );
      for (const [name, { inThread, worker }] of Object.entries(results)) {
        const [raw, lane] = inThread;
        const [rawWorker, workerLane] = worker;
        console.log(
          `  ${name}: in-thread lane ${lane.meanUs.toFixed(1)} vs raw ${raw.meanUs.toFixed(1)} µs: ` +
            `${lane.medianRatio.toFixed(2)}×; worker lane ${workerLane.meanUs.toFixed(1)} vs raw worker + reset() ` +
            `${rawWorker.meanUs.toFixed(1)} µs: ${workerLane.medianRatio.toFixed(2)}×`,
        );
      }
    } finally {
      busy?.kill();
    }
  }
} finally {
  await browser.close();
  server.close();
}
