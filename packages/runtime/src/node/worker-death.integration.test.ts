import { readFileSync } from 'node:fs';
import type * as WorkerThreads from 'node:worker_threads';
import type { Worker } from 'node:worker_threads';
import { PlinthError } from '@plinth/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { wat } from '../__fixtures__/wat.js';
import type { HostCallContext } from '@plinth/host-kit';
import type { Lane } from '../lanes/lane.js';
import { resolveLimits, type PluginLimits } from '../limits.js';
import { openProtocolPluginFrom } from '../open-plugin.js';
import { PluginRegistry } from '../registry/plugin-registry.js';
import { createIsolatedLane, type IsolatedHostBundle, type IsolatedLaneOptions } from './index.js';

/**
 * Worker death from outside the guest's control: the thread is terminated through its Worker handle, or
 * runs out of JavaScript heap. The in-flight call must reject with a typed PlinthError, the next call must
 * get a fresh worker without the caller doing anything, and the host and other plugins must not notice.
 */

// Every Worker the lanes start, in order, so a test can kill one the way an operator or a crash would.
const workers = vi.hoisted((): Worker[] => []);
/** When set, the next Worker started is terminated at once, before its instance is ready. */
const killAtStart = vi.hoisted(() => ({ next: false }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const actual = await importOriginal<typeof WorkerThreads>();
  class RecordedWorker extends actual.Worker {
    constructor(...args: ConstructorParameters<typeof actual.Worker>) {
      super(...args);
      workers.push(this);
      if (killAtStart.next) {
        killAtStart.next = false;
        void this.terminate();
      }
    }
  }
  return { ...actual, Worker: RecordedWorker };
});

const guestBytes = (path: string) =>
  readFileSync(new URL(`../../../guests/corpus/${path}/plugin.wasm`, import.meta.url));
const command = (name: string, params: unknown = null) => JSON.stringify({ command: name, params });
const text = (output: Uint8Array | null) => (output ? new TextDecoder().decode(output) : null);
const context = (pluginId: string, exportName = 'handle_command'): HostCallContext => ({
  pluginId,
  pluginVersion: '0.1.0',
  exportName,
});
/** A host answer that never comes: the call stays in flight until its worker dies. */
const never = () => new Promise<string>(() => undefined);
/** Workers start from source (tsx) here, slow on a loaded machine; no assertion depends on timing. */
const slow = { timeout: 30_000 };

const lanes: Lane[] = [];
afterEach(async () => {
  await Promise.all(lanes.splice(0).map((lane) => lane.close()));
});

async function open(
  bytes: Uint8Array,
  options: { bundle?: IsolatedHostBundle; limits?: Partial<PluginLimits> } & Pick<
    IsolatedLaneOptions,
    'resourceLimits'
  > = {},
) {
  const lane = await createIsolatedLane({
    module: new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>),
    bundle: options.bundle ?? {},
    limits: resolveLimits({ timeoutMs: 60_000, ...options.limits }),
    ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
  });
  lanes.push(lane);
  const worker = workers.at(-1);
  if (!worker) throw new Error('the lane started no worker');
  return { lane, worker };
}

async function rejection(promise: Promise<unknown>): Promise<PlinthError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!PlinthError.isInstance(error)) throw new Error(`expected a PlinthError, got ${String(error)}`);
  return error;
}

const ping = async (lane: Lane, pluginId = 'plinth-golden.c') =>
  JSON.parse(text((await lane.call('handle_command', command('ping'), context(pluginId))).output) ?? '');

describe('isolated lane: a worker killed through its Worker handle', slow, () => {
  it('fails the call waiting on a host function with trap, then serves on a fresh worker', async () => {
    let kill: (() => Promise<number>) | undefined;
    const { lane, worker } = await open(guestBytes('golden/c-protocol'), {
      bundle: {
        host_get_timestamp: () => {
          void kill?.();
          return never();
        },
      },
    });
    kill = () => worker.terminate();
    const before = workers.length;

    const error = await rejection(lane.call('handle_command', command('time'), context('plinth-golden.c')));
    expect(error.code).toBe('trap');
    expect(error.message).toBe(
      'plugin plinth-golden.c@0.1.0 (handle_command) failed: its worker exited with code 1; a fresh instance (with fresh memory) will serve the next call',
    );
    expect(error.context).toEqual({
      pluginId: 'plinth-golden.c',
      pluginVersion: '0.1.0',
      exportName: 'handle_command',
    });

    kill = undefined;
    expect(await ping(lane)).toEqual({ success: true, data: 'pong' });
    expect(workers.length).toBe(before + 1);
    expect(workers.at(-1)).not.toBe(worker);
  });

  it('fails a call spinning in the guest at once (not at its timeout), and recovers', async () => {
    const { lane, worker } = await open(guestBytes('hostile/hostile-loop-command'));
    const spinning = lane.call('handle_command', command('spin'), context('hostile.loop-command'));
    await worker.terminate();
    const error = await rejection(spinning);
    expect(error.code).toBe('trap');
    expect(error.message).toMatch(
      /^plugin hostile\.loop-command@0\.1\.0 \(handle_command\) failed: its worker exited/,
    );
    const manifest = await lane.call('manifest', '', context('hostile.loop-command', 'manifest'));
    expect(text(manifest.output)).toMatch(/"id":"hostile\.loop-command"/);
  });

  it('runs the calls queued behind the dying one on the fresh worker', async () => {
    let kill: (() => Promise<number>) | undefined;
    const { lane, worker } = await open(guestBytes('golden/c-protocol'), {
      bundle: {
        host_get_timestamp: () => {
          void kill?.();
          return never();
        },
      },
    });
    kill = () => worker.terminate();
    const dying = lane.call('handle_command', command('time'), context('plinth-golden.c'));
    const queued = Array.from({ length: 5 }, (_, i) =>
      lane.call('handle_command', command('echo', { i }), context('plinth-golden.c')),
    );
    expect((await rejection(dying)).code).toBe('trap');
    kill = undefined;
    const answers = await Promise.all(queued);
    expect(answers.map(({ output }) => JSON.parse(text(output) ?? ''))).toEqual(
      Array.from({ length: 5 }, (_, i) => ({ success: true, data: { i } })),
    );
  });

  it('replaces a worker killed while idle on the next call, without failing it', async () => {
    const { lane, worker } = await open(guestBytes('golden/c-protocol'));
    expect(await ping(lane)).toEqual({ success: true, data: 'pong' });
    await worker.terminate();
    expect(await ping(lane)).toEqual({ success: true, data: 'pong' });
    expect(workers.at(-1)).not.toBe(worker);
  });

  it('fails the call with load_failed when the replacement dies while starting, then tries again', async () => {
    const { lane, worker } = await open(guestBytes('golden/c-protocol'));
    await worker.terminate();
    killAtStart.next = true;
    const error = await rejection(lane.call('handle_command', command('ping'), context('plinth-golden.c')));
    expect(error.code).toBe('load_failed');
    expect(error.message).toMatch(
      /^plugin plinth-golden\.c@0\.1\.0 \(handle_command\) could not start in its worker: its worker exited/,
    );
    expect(await ping(lane)).toEqual({ success: true, data: 'pong' });
  });

  it('leaves other lanes alone: their workers keep serving, mid-call and after', async () => {
    let kill: (() => Promise<number>) | undefined;
    const other = await open(guestBytes('golden/rust-protocol'));
    const victim = await open(guestBytes('golden/c-protocol'), {
      bundle: {
        host_get_timestamp: async () => {
          // While the victim's call is in flight, the other lane answers, then the victim dies.
          expect(await ping(other.lane, 'plinth-golden.rust')).toEqual({ success: true, data: 'pong' });
          void kill?.();
          return never();
        },
      },
    });
    kill = () => victim.worker.terminate();
    const before = workers.length;
    const error = await rejection(
      victim.lane.call('handle_command', command('time'), context('plinth-golden.c')),
    );
    expect(error.code).toBe('trap');
    expect(await ping(other.lane, 'plinth-golden.rust')).toEqual({ success: true, data: 'pong' });
    expect(workers.length).toBe(before);
    kill = undefined;
    expect(await ping(victim.lane)).toEqual({ success: true, data: 'pong' });
    expect(await ping(other.lane, 'plinth-golden.rust')).toEqual({ success: true, data: 'pong' });
    expect(workers.length).toBe(before + 1);
  });

  it('rejects with closed, not a death, when the lane is closed while a call waits for its turn', async () => {
    const { lane } = await open(guestBytes('golden/c-protocol'));
    const first = lane.call('handle_command', command('ping'), context('plinth-golden.c'));
    const second = lane.call('handle_command', command('ping'), context('plinth-golden.c'));
    const closing = lane.close();
    expect(JSON.parse(text((await first).output) ?? '')).toEqual({ success: true, data: 'pong' });
    expect((await rejection(second)).code).toBe('closed');
    await closing;
  });
});

describe('isolated lane: a worker that runs out of JavaScript heap', slow, () => {
  /**
   * `hoard` keeps Extism vars under ever new 4 KiB keys (the longest the worker allows), each a string on
   * the worker's heap. Keys count toward maxVarBytes, so only a host that allows more var memory than the
   * worker's heap lets it grow until the worker is stopped (the default stops it at maxVarBytes; see
   * kernel-guards.integration.test.ts).
   */
  const hoarder = () =>
    wat(`(module
      (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
      (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
      (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
      (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))
      (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
      (memory (export "memory") 1 1)
      (func (export "hoard") (result i32)
        (local $key i64) (local $value i64) (local $i i64)
        (local.set $key (call $alloc (i64.const 4096)))
        (local.set $value (call $alloc (i64.const 1)))
        (loop $again
          (call $store_u64 (local.get $key) (local.get $i))
          (call $var_set (local.get $key) (local.get $value))
          (local.set $i (i64.add (local.get $i) (i64.const 1)))
          (br $again))
        (i32.const 0))
      (func (export "ping") (result i32)
        (local $out i64)
        (local.set $out (call $alloc (i64.const 4)))
        (call $store_u8 (local.get $out) (i32.const 0x70))
        (call $store_u8 (i64.add (local.get $out) (i64.const 1)) (i32.const 0x6f))
        (call $store_u8 (i64.add (local.get $out) (i64.const 2)) (i32.const 0x6e))
        (call $store_u8 (i64.add (local.get $out) (i64.const 3)) (i32.const 0x67))
        (call $output_set (local.get $out) (i64.const 4))
        (i32.const 0)))`);

  it('fails the call with out_of_memory naming resourceLimits, then serves on a fresh worker', async () => {
    const other = await open(guestBytes('golden/c-protocol'));
    const { lane, worker } = await open(await hoarder(), {
      limits: { maxVarBytes: 1024 * 1024 * 1024 },
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    });
    const error = await rejection(lane.call('hoard', '', context('acme.hoarder', 'hoard')));
    expect(error.code).toBe('out_of_memory');
    expect(error.message).toBe(
      'plugin acme.hoarder@0.1.0 (hoard) failed: its worker ran out of JavaScript heap; a fresh instance (with fresh memory) will serve the next call',
    );
    expect(error.context).toEqual({
      pluginId: 'acme.hoarder',
      pluginVersion: '0.1.0',
      exportName: 'hoard',
      limit: 'resourceLimits',
    });
    const { output } = await lane.call('ping', '', context('acme.hoarder', 'ping'));
    expect(text(output)).toBe('pong');
    expect(workers.at(-1)).not.toBe(worker);
    expect(await ping(other.lane)).toEqual({ success: true, data: 'pong' });
  });
});

describe('a worker death through the protocol layer and the registry', slow, () => {
  it('gives the command a typed error, keeps the plugin active, and the next command works', async () => {
    let kill: (() => Promise<number>) | undefined;
    const registry = new PluginRegistry({});
    try {
      await registry.load('plinth-golden.c', () =>
        openProtocolPluginFrom({
          source: { bytes: guestBytes('golden/c-protocol') },
          expectedId: 'plinth-golden.c',
          hostAppVersion: '1.0.0',
          lane: createIsolatedLane,
          limits: { timeoutMs: 60_000 },
          bundle: {
            host_get_timestamp: () => {
              void kill?.();
              return never();
            },
          },
        }),
      );
      const victim = workers.at(-1);
      await registry.load('plinth-golden.rust', () =>
        openProtocolPluginFrom({
          source: { bytes: guestBytes('golden/rust-protocol') },
          expectedId: 'plinth-golden.rust',
          hostAppVersion: '1.0.0',
          lane: createIsolatedLane,
        }),
      );
      kill = () => victim?.terminate() ?? Promise.resolve(0);

      const error = await rejection(registry.command('plinth-golden.c', 'time'));
      expect(error.code).toBe('trap');
      expect(error.message).toMatch(
        /^plugin plinth-golden\.c@1\.0\.0 \(handle_command\) failed: its worker exited with code 1; /,
      );
      expect(error.context).toMatchObject({ pluginId: 'plinth-golden.c', exportName: 'handle_command' });
      expect(error.context).not.toHaveProperty('callChain');

      kill = undefined;
      expect(await registry.command('plinth-golden.c', 'ping')).toEqual({ success: true, data: 'pong' });
      expect(await registry.command('plinth-golden.rust', 'ping')).toEqual({ success: true, data: 'pong' });
      expect(registry.list().map(({ id, state }) => [id, state])).toEqual([
        ['plinth-golden.c', 'active'],
        ['plinth-golden.rust', 'active'],
      ]);
    } finally {
      await registry.close();
    }
  });
});
