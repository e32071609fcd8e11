/// <reference lib="dom" />
// The page the worker-lane tests drive in Chromium (bundled by esbuild, served cross-origin isolated on
// loopback): it runs real plugins with @plinth/runtime on the page — in the Web Worker lane of
// @plinth/runtime/browser and in the in-thread lane with fuel — over @plinth/host-browser's host, and
// answers what happened as plain data for the test to check.
import { createBrowserHost, openIndexedDbStores } from '@plinth/host-browser';
import { createPolicyChecker } from '@plinth/permissions';
import {
  openPlugin,
  openProtocolPluginFrom,
  PluginRegistry,
  type LaneFactory,
  type UserFunctions,
} from '@plinth/runtime';
import { workerLane } from '@plinth/runtime/browser';

/** An outcome the test can compare: a value, or the error's code and message. */
export type Outcome = { ok: unknown } | { code: string; message: string };

declare global {
  interface Window {
    plinthLane: Record<string, (...args: never[]) => Promise<Outcome>>;
  }
}

const lane: LaneFactory = workerLane({ workerUrl: '/lane-worker.js' });

async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await run() };
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return { code: typeof code === 'string' ? code : 'thrown', message: String(message) };
  }
}

/** The as-pdk guest's host functions: a key-value store kept on the page. */
function kvFunctions(kv: Map<string, string>): UserFunctions {
  return {
    'extism:host/user': {
      kv_read: (ctx, key) => {
        const value = kv.get(ctx.readString(key) ?? '');
        return value === undefined ? 0n : ctx.store(value);
      },
      kv_write: (ctx, key, value) => void kv.set(ctx.readString(key) ?? '', ctx.readString(value) ?? ''),
    },
  };
}

let opened = 0;

/** A hostile guest to run, as the test describes it from the corpus. */
export interface HostileRun {
  /** The module's corpus folder, e.g. `hostile/hostile-loop-command`. */
  folder: string;
  expectedId: string;
  /** `load`: the failure comes while opening; `call`: from the command, twice. */
  phase: 'load' | 'call';
  command?: string;
  /** Give it 30 s and 4e9 fuel rather than 0.5 s and 2e7: it does a lot before it is hostile. */
  patient?: boolean;
}

/** What a failure says about itself: its code and the plugin and export its context names. */
const failureOf = (error: unknown) => {
  const { code, context } = (error ?? {}) as { code?: unknown; context?: Record<string, unknown> };
  return {
    code: typeof code === 'string' ? code : 'none',
    pluginId: context?.['pluginId'],
    exportName: context?.['exportName'],
  };
};

window.plinthLane = {
  /**
   * A hostile guest through the whole stack on the page: the worker lane (a hard timeout, no fuel), or the
   * in-thread lane metered with fuel. Answers how loading or each of two calls failed, and whether the
   * plugin serves again afterwards (its manifest export answers).
   */
  async hostile(where: 'worker' | 'in-thread', run: HostileRun) {
    return outcome(async () => {
      const options = {
        source: { url: `/guests/${run.folder}.wasm` },
        hostAppVersion: '1.0.0',
        expectedId: run.expectedId,
        limits: {
          timeoutMs: run.patient ? 30_000 : 500,
          memoryMaxPages: 16,
          outputMaxBytes: 1024 * 1024,
          fuelPerLoad: run.patient ? 4e9 : 2e7,
          fuelPerCall: run.patient ? 4e9 : 2e7,
        },
        ...(where === 'worker' ? { lane } : { fuel: true }),
      };
      if (run.phase === 'load') {
        return {
          load: failureOf(
            await openProtocolPluginFrom(options).then(
              () => undefined,
              (e: unknown) => e,
            ),
          ),
        };
      }
      const plugin = await openProtocolPluginFrom(options);
      const calls = [];
      for (let attempt = 0; attempt < 2; attempt++)
        calls.push(
          failureOf(
            await plugin.command(run.command ?? '', null).then(
              () => undefined,
              (e: unknown) => e,
            ),
          ),
        );
      const { output } = await plugin.callRaw('manifest', '');
      const servesAfter =
        output !== null && (JSON.parse(new TextDecoder().decode(output)) as { id?: string }).id;
      await plugin.shutdown();
      return { calls, servesAfter };
    });
  },

  /** The HTTP golden guest fetches a URL through host_http_request: fetch on the page, awaited. */
  async httpThroughWorker(url: string) {
    return outcome(async () => {
      const stores = await openIndexedDbStores({ name: `worker-lane-${(opened += 1)}` });
      const permissions = createPolicyChecker({
        policy: {
          plugins: { 'plinth-golden.http': { permissions: { http_requests: { include: ['127.0.0.1'] } } } },
        },
      });
      const host = createBrowserHost({ permissions, stores });
      const registry = new PluginRegistry({ permissions });
      try {
        await registry.load('plinth-golden.http', () =>
          openProtocolPluginFrom({
            source: { url: '/guests/golden/as-http.wasm' },
            expectedId: 'plinth-golden.http',
            hostAppVersion: '1.0.0',
            lane,
            bundle: host.bundle,
          }),
        );
        const lanes = registry.get('plinth-golden.http');
        const response = await registry.command('plinth-golden.http', 'fetch', { url });
        return { state: lanes?.state, response };
      } finally {
        await registry.close();
        stores.close();
      }
    });
  },

  /**
   * A guest that never returns, in the worker lane with a short timeout: the page keeps running meanwhile
   * (its timer ticks), the call fails with `timeout`, and the next call gets a fresh worker.
   */
  async spinInWorker() {
    return outcome(async () => {
      const plugin = await openPlugin({
        source: { url: '/guests/plain/as-pdk.wasm' },
        functions: kvFunctions(new Map()),
        config: { greeting: 'Hallo' },
        limits: { timeoutMs: 400 },
        lane,
      });
      let ticks = 0;
      const timer = setInterval(() => (ticks += 1), 20);
      const spun = await outcome(() => plugin.call('spin', ''));
      clearInterval(timer);
      const after = await outcome(async () => plugin.callText('greet', 'Zoë'));
      await plugin.close();
      return { spun, ticksDuringSpin: ticks, after };
    });
  },

  /** An input and an output far larger than the bridge's inline buffer: the plain guest reverses its bytes. */
  async largeThroughWorker(bytes: number) {
    return outcome(async () => {
      const plugin = await openPlugin({ source: { url: '/guests/plain/wat-plain.wasm' }, lane });
      const input = new Uint8Array(bytes).map((_, i) => i % 251);
      const output = await plugin.call('reverse', input);
      await plugin.close();
      const reversed = input.slice().reverse();
      return {
        sent: input.length,
        reversed:
          output !== null && output.length === bytes && output.every((byte, i) => byte === reversed[i]),
      };
    });
  },

  /**
   * A bridge that may not grow past 64 KiB: an input larger than that fails the call typed (the worker
   * keeps its state), and so does a host answer larger than that (the worker, left mid-call, is replaced).
   */
  async beyondTheBridge() {
    return outcome(async () => {
      const small = workerLane({ workerUrl: '/lane-worker.js', maxMessageBytes: 65_536 });
      const plain = await openPlugin({ source: { url: '/guests/plain/wat-plain.wasm' }, lane: small });
      const input = await outcome(() => plain.call('reverse', new Uint8Array(100_000)));
      const afterInput = await outcome(async () => plain.callText('reverse', 'abc'));
      await plain.close();
      const kv = new Map([['big', 'x'.repeat(100_000)]]);
      const pdk = await openPlugin({
        source: { url: '/guests/plain/as-pdk.wasm' },
        functions: kvFunctions(kv),
        config: { greeting: 'Hallo' },
        lane: small,
      });
      const answer = await outcome(() => pdk.call('count', 'big'));
      const afterAnswer = await outcome(async () => pdk.callText('greet', 'Zoë'));
      await pdk.close();
      return { input, afterInput, answer, afterAnswer };
    });
  },

  /** The in-thread lane on the page, metered: a guest that never returns is stopped by fuel. */
  async spinInThreadWithFuel() {
    return outcome(async () => {
      const plugin = await openPlugin({
        source: { url: '/guests/plain/as-pdk.wasm' },
        functions: kvFunctions(new Map()),
        config: { greeting: 'Hallo' },
        fuel: true,
        limits: { fuelPerCall: 5_000_000 },
      });
      const spun = await outcome(() => plugin.call('spin', ''));
      const after = await outcome(async () => plugin.callText('greet', 'Zoë'));
      await plugin.close();
      return { spun, after };
    });
  },

  /** What opening a plugin in the worker lane answers on this page (the test also opens one not isolated). */
  async openInWorker() {
    return outcome(async () => {
      const plugin = await openPlugin({ source: { url: '/guests/plain/wat-plain.wasm' }, lane });
      await plugin.close();
      return { crossOriginIsolated: globalThis.crossOriginIsolated };
    });
  },

  /** A worker script that is not there: the lane fails to start, naming the script. */
  async missingWorkerScript() {
    return outcome(() =>
      openPlugin({
        source: { url: '/guests/plain/wat-plain.wasm' },
        lane: workerLane({ workerUrl: '/missing-lane-worker.js' }),
      }),
    );
  },

  /** A worker script of another origin, which the browser refuses to start at all. */
  async foreignWorkerScript() {
    return outcome(() =>
      openPlugin({
        source: { url: '/guests/plain/wat-plain.wasm' },
        lane: workerLane({ workerUrl: 'https://example.com/lane-worker.js' }),
      }),
    );
  },

  /** A module loaded from a URL with a sha256 pin that does not match is refused before it runs. */
  async wrongPin() {
    return outcome(() =>
      openPlugin({ source: { url: '/guests/plain/as-pdk.wasm' }, sha256: '0'.repeat(64), lane }),
    );
  },

  /**
   * Hot reload in the page: the registry swaps a plugin for a new instance from other bytes (the module
   * fetched again, pinned), while commands keep being answered.
   */
  async hotReload(sha256: string) {
    return outcome(async () => {
      const registry = new PluginRegistry();
      const open = (pin?: string) => () =>
        openProtocolPluginFrom({
          source: { url: '/guests/golden/c-protocol.wasm' },
          ...(pin === undefined ? {} : { sha256: pin }),
          expectedId: 'plinth-golden.c',
          hostAppVersion: '1.0.0',
          lane,
        });
      try {
        await registry.load('plinth-golden.c', open());
        const during = registry.command('plinth-golden.c', 'echo', { n: 1 });
        await registry.reload('plinth-golden.c', open(sha256));
        const after = await registry.command('plinth-golden.c', 'echo', { n: 2 });
        return { during: await during, after, state: registry.get('plinth-golden.c')?.state };
      } finally {
        await registry.close();
      }
    });
  },
};
