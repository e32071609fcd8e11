import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { GUESTS_DIR, listGuests, RUNTIME_OUTCOME_CODES } from '@plinth/guests';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWatchedPage } from './chromium.js';
import { bundle, listen, readmeExample, stop } from './host-browser-setup.js';
import type { HostileRun, Outcome } from './worker-lane-page.js';

// Plugins running on a page in Chromium with @plinth/runtime: the Web Worker lane of
// @plinth/runtime/browser (async host functions through fetch, hard timeouts, large messages, a page that
// is not cross-origin isolated) and the in-thread lane with fuel, modules loaded from URLs with sha256
// pins, and hot reload in the registry.

let server: Server | undefined;
let browser: Browser | undefined;
let page: Page;
let origin: string;
let problems: string[] = [];

const guestFile = (path: string) => readFileSync(`${GUESTS_DIR}${path}/plugin.wasm`);

beforeAll(async () => {
  const scripts: Record<string, string> = {
    '/page.js': await bundle({ file: fileURLToPath(new URL('./worker-lane-page.ts', import.meta.url)) }),
    // What a page's build does with the lane's worker script: bundles the published entry on its own.
    '/readme.js': await bundle({
      contents: readmeExample('packages/runtime/README.md', 'worker-lane.test.ts'),
      name: 'README example',
    }),
    '/guide.js': await bundle({
      contents: readmeExample('docs/guides/run-in-a-browser.md', 'worker-lane.test.ts'),
      name: 'guide example',
    }),
    '/lane-worker.js': await bundle({
      contents: "import '@plinth/runtime/browser/lane-worker';",
      name: 'lane-worker entry',
    }),
  };
  ({ server, origin } = await listen((request, response) => {
    const url = request.url ?? '/';
    // The worker lane needs SharedArrayBuffer: every response of the isolated page carries these.
    const isolated = {
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    };
    const html =
      '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>worker lane</title><script type="module" src="/page.js"></script>';
    if (url === '/')
      return response.writeHead(200, { ...isolated, 'content-type': 'text/html; charset=utf-8' }).end(html);
    if (url === '/not-isolated')
      return response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    const script = scripts[url];
    if (script !== undefined)
      return response
        .writeHead(200, { ...isolated, 'content-type': 'text/javascript; charset=utf-8' })
        .end(script);
    if (url === '/plugins/notes.wasm')
      return response
        .writeHead(200, { ...isolated, 'content-type': 'application/wasm' })
        .end(guestFile('golden/as-notes'));
    if (url === '/plugins/http.wasm')
      return response
        .writeHead(200, { ...isolated, 'content-type': 'application/wasm' })
        .end(guestFile('golden/as-http'));
    const guest = /^\/guests\/((?:golden|plain|hostile)\/[a-z0-9-]+)\.wasm$/.exec(url);
    if (guest?.[1] !== undefined)
      return response
        .writeHead(200, { ...isolated, 'content-type': 'application/wasm' })
        .end(guestFile(guest[1]));
    if (url === '/hello')
      return response.writeHead(200, { ...isolated, 'content-type': 'text/plain' }).end('hello');
    return response.writeHead(404, isolated).end();
  }));
  ({ browser, page, problems } = await openWatchedPage({
    // The missing worker script's 404 is the one error a test provokes on purpose.
    expected: (message) => message.location().url.endsWith('/missing-lane-worker.js'),
  }));
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => 'plinthLane' in window);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stop(server);
  expect(problems).toEqual([]);
});

const run = (name: string, ...args: unknown[]): Promise<Outcome> =>
  page.evaluate(([fn, rest]) => window.plinthLane[fn]!(...(rest as never[])), [name, args] as const);

describe('the Web Worker lane in Chromium', () => {
  it('serves an async host function (host_http_request through the page fetch) to a guest in a worker', async () => {
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const outcome = await run('httpThroughWorker', `${origin}/hello`);
    expect(outcome).toEqual({
      ok: {
        state: 'active',
        response: { success: true, data: { status: 200, body: 'hello' } },
      },
    });
  });

  it('stops a guest that never returns at its timeout, keeps the page running, and starts afresh', async () => {
    const outcome = (await run('spinInWorker')) as {
      ok: { spun: Outcome; ticksDuringSpin: number; after: Outcome };
    };
    expect(outcome.ok.spun).toMatchObject({ code: 'timeout' });
    expect((outcome.ok.spun as { message: string }).message).toContain('timed out after 400 ms');
    // The page's own timer ran while the guest spun: the guest never held the page's thread.
    expect(outcome.ok.ticksDuringSpin).toBeGreaterThan(0);
    expect(outcome.ok.after).toEqual({ ok: 'Hallo, Zoë!' });
  });

  it('carries inputs and outputs larger than the bridge buffer, both ways', async () => {
    expect(await run('largeThroughWorker', 300_000)).toEqual({ ok: { sent: 300_000, reversed: true } });
  });

  it('fails a call typed when a message is larger than the bridge may grow, and serves again', async () => {
    const outcome = (await run('beyondTheBridge')) as {
      ok: { input: Outcome; afterInput: Outcome; answer: Outcome; afterAnswer: Outcome };
    };
    expect(outcome.ok.input).toMatchObject({ code: 'out_of_memory' });
    expect((outcome.ok.input as { message: string }).message).toContain(
      'a message of 100007 bytes is larger than the bridge carries (65536 bytes)',
    );
    expect(outcome.ok.afterInput).toEqual({ ok: 'cba' });
    expect(outcome.ok.answer).toMatchObject({ code: 'out_of_memory' });
    expect((outcome.ok.answer as { message: string }).message).toContain('a fresh instance');
    expect(outcome.ok.afterAnswer).toEqual({ ok: 'Hallo, Zoë!' });
  });

  it('refuses a module whose sha256 pin does not match, before it runs', async () => {
    const outcome = await run('wrongPin');
    expect(outcome).toMatchObject({ code: 'load_failed' });
    expect((outcome as { message: string }).message).toContain(`sha256 mismatch: expected ${'0'.repeat(64)}`);
  });

  it('hot-reloads a plugin in the registry from pinned bytes, answering throughout', async () => {
    const sha256 = createHash('sha256').update(guestFile('golden/c-protocol')).digest('hex');
    expect(await run('hotReload', sha256)).toEqual({
      ok: {
        during: { success: true, data: { n: 1 } },
        after: { success: true, data: { n: 2 } },
        state: 'active',
      },
    });
  });

  it('fails to start with load_failed naming a worker script that cannot be loaded', async () => {
    const outcome = await run('missingWorkerScript');
    expect(outcome).toMatchObject({ code: 'load_failed' });
    expect((outcome as { message: string }).message).toContain(
      'its worker script /missing-lane-worker.js could not be loaded',
    );
  });

  it('fails to start with load_failed when the browser refuses the worker script outright', async () => {
    const outcome = await run('foreignWorkerScript');
    expect(outcome).toMatchObject({ code: 'load_failed' });
    expect((outcome as { message: string }).message).toContain('its worker could not be started (');
  });

  it('refuses to start on a page that is not cross-origin isolated, saying why', async () => {
    expect(await run('openInWorker')).toEqual({ ok: { crossOriginIsolated: true } });
    const plain = await browser!.newPage();
    try {
      await plain.goto(`${origin}/not-isolated`);
      await plain.waitForFunction(() => 'plinthLane' in window);
      const outcome = await plain.evaluate(() => window.plinthLane['openInWorker']!());
      expect(outcome).toMatchObject({ code: 'load_failed' });
      expect((outcome as { message: string }).message).toContain(
        'Cross-Origin-Embedder-Policy: require-corp',
      );
    } finally {
      await plain.close();
    }
  });
});

describe("@plinth/runtime's README in Chromium", () => {
  /** Runs a bundled example on the page, answering what it printed with console.log. */
  const printedBy = (script: string): Promise<string[]> =>
    // A string, so that vitest does not rewrite its import() for Node.
    page.evaluate(`(async () => {
      const lines = [];
      const log = console.log;
      console.log = (...parts) => void lines.push(parts.map(String).join(' '));
      try {
        await import('${script}');
      } finally {
        console.log = log;
      }
      return lines;
    })()`);

  it('runs the browser example as written', async () => {
    expect(await printedBy('/readme.js')).toEqual(['{"success":true,"data":{"status":200,"body":"hello"}}']);
  });

  it("runs the guide's page (docs/guides/run-in-a-browser.md) as written", async () => {
    expect(await printedBy('/guide.js')).toEqual([
      '{"path":"Daily/2026-12-05.md","created":true,"words":6}',
      "false host_read_file: Permission denied for plugin 'plinth-golden.notes': read_files on 'private/diary.md'",
      '{"status":200,"body":"hello"}',
      'active',
    ]);
  });
});

describe('the in-thread lane with fuel in Chromium', () => {
  it('stops a guest that never returns by its fuel budget, and the next call runs', async () => {
    const outcome = (await run('spinInThreadWithFuel')) as { ok: { spun: Outcome; after: Outcome } };
    expect(outcome.ok.spun).toMatchObject({ code: 'fuel_exhausted' });
    expect(outcome.ok.after).toEqual({ ok: 'Hallo, Zoë!' });
  });
});

/** Guests that never return, or grow without end: stopped by the worker lane's timeout, or by fuel. */
const RUNAWAY: Record<string, { worker: readonly string[]; inThread: readonly string[] }> = {
  'limit:timeout': { worker: ['timeout'], inThread: ['fuel_exhausted'] },
  'limit:memory': {
    worker: ['timeout', 'out_of_memory'],
    inThread: ['fuel_exhausted', 'out_of_memory', 'trap'],
  },
};

const hostileRuns = listGuests({ kind: 'hostile' })
  .filter(
    (guest) =>
      guest.outcome !== undefined && (guest.outcome in RUNTIME_OUTCOME_CODES || guest.outcome in RUNAWAY),
  )
  .map((guest) => {
    const trigger = guest.trigger ?? {};
    const outcome = guest.outcome ?? '';
    const phase =
      outcome.startsWith('load:') || trigger.export === 'manifest' || trigger.export === 'init'
        ? 'load'
        : 'call';
    const run: HostileRun = {
      folder: guest.path.replace(/\/plugin\.wasm$/, ''),
      expectedId: guest.name.replace(/^hostile-/, 'hostile.'),
      phase,
      // The huge outputs are written a byte at a time: they need the time (and fuel) to get that far.
      ...(outcome === 'limit:output_size' || outcome === 'load:manifest_too_large' ? { patient: true } : {}),
      ...(phase === 'call'
        ? { command: (JSON.parse(trigger.input ?? '{}') as { command?: string }).command ?? '' }
        : {}),
    };
    const runaway = RUNAWAY[outcome];
    const worker = runaway?.worker ?? [RUNTIME_OUTCOME_CODES[outcome]!];
    const inThread = runaway?.inThread ?? [RUNTIME_OUTCOME_CODES[outcome]!];
    return { name: guest.name, run, expected: { worker, 'in-thread': inThread } };
  });

describe('hostile guests of the corpus in Chromium', () => {
  it('covers every outcome the runtime decides, and the runaways', () => {
    expect(hostileRuns.map((entry) => entry.name)).toEqual(
      expect.arrayContaining([
        'hostile-loop-command',
        'hostile-loop-init',
        'hostile-memory-grow',
        'hostile-stack-overflow',
      ]),
    );
    expect(hostileRuns.length).toBeGreaterThanOrEqual(17);
  });

  for (const where of ['worker', 'in-thread'] as const) {
    it.each(hostileRuns.map((entry) => [entry.name, entry] as const))(
      `%s (${where} lane)`,
      async (_name, entry) => {
        const answer = (await run('hostile', where, entry.run)) as {
          ok?: {
            load?: { code: string; pluginId: unknown };
            calls?: { code: string; pluginId: unknown; exportName: unknown }[];
            servesAfter?: unknown;
          };
        };
        const codes = entry.expected[where];
        if (entry.run.phase === 'load') {
          expect(codes, JSON.stringify(answer)).toContain(answer.ok?.load?.code);
          expect(answer.ok?.load?.pluginId).toBe(entry.run.expectedId);
          return;
        }
        // Typed each time, naming the plugin and export, and the plugin serves again: the page lives on.
        for (const call of answer.ok?.calls ?? []) {
          expect(codes, JSON.stringify(answer)).toContain(call.code);
          expect(call).toMatchObject({ pluginId: entry.run.expectedId, exportName: 'handle_command' });
        }
        expect(answer.ok?.calls).toHaveLength(2);
        expect(answer.ok?.servesAfter).toBe(entry.run.expectedId);
      },
    );
  }
});
