import { readFile } from 'node:fs/promises';
import { PlinthError } from '@plinth/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HostCallContext } from '@plinth/host-kit';
import { createInThreadLane } from '../lanes/in-thread-lane.js';
import type { Lane, LaneCallResult } from '../lanes/lane.js';
import { resolveLimits } from '../limits.js';
import { loadModule } from '../loader/load-module.js';
import { createInstancePool } from './instance-pool.js';

const context: HostCallContext = {
  pluginId: 'acme.pool',
  pluginVersion: '1.0.0',
  exportName: 'handle_command',
};
const text = (result: LaneCallResult): string => new TextDecoder().decode(result.output ?? new Uint8Array());

/** An in-memory lane: `answer` decides each call; records its calls and whether it was closed. */
class FakeLane implements Lane {
  readonly kind = 'in-thread';
  readonly calls: string[] = [];
  closed = false;
  constructor(
    readonly id: number,
    private readonly answer: (input: string, lane: FakeLane) => Promise<string>,
  ) {}
  async call(_exportName: string, input: Uint8Array | string): Promise<LaneCallResult> {
    const request = typeof input === 'string' ? input : new TextDecoder().decode(input);
    this.calls.push(request);
    const output = await this.answer(request, this);
    return { output: new TextEncoder().encode(output), hostCalls: 0 };
  }
  hasExport = () => true;
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** A lane factory whose calls stay pending until the test releases them. */
function gatedFactory(answer?: (input: string, lane: FakeLane) => Promise<string>) {
  const lanes: FakeLane[] = [];
  const gates: (() => void)[] = [];
  const gated = (input: string, lane: FakeLane) =>
    new Promise<string>((resolve) => gates.push(() => resolve(`${lane.id}:${input}`)));
  return {
    lanes,
    /** Lets the oldest pending call finish. */
    releaseOne: () => gates.shift()?.(),
    create: () => {
      const lane = new FakeLane(lanes.length, answer ?? gated);
      lanes.push(lane);
      return Promise.resolve<Lane>(lane);
    },
  };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => {
  vi.useRealTimers();
});

describe('createInstancePool', () => {
  it('starts min instances up front and grows to max under load, queueing the rest', async () => {
    const factory = gatedFactory();
    const pool = await createInstancePool({ create: factory.create, min: 1, max: 3 });
    expect(pool.stats()).toMatchObject({ size: 1, idle: 1, busy: 0, created: 1 });

    const calls = Array.from({ length: 5 }, (_, i) => pool.call('handle_command', `req${i}`, context));
    await settle();
    expect(pool.stats()).toMatchObject({ size: 3, busy: 3, idle: 0, waiting: 2, created: 3 });

    factory.releaseOne();
    await settle();
    expect(pool.stats()).toMatchObject({ busy: 3, waiting: 1 });
    while (pool.stats().busy > 0) {
      factory.releaseOne();
      await settle();
    }
    const answers = await Promise.all(calls);
    expect(answers.map((answer) => text(answer).split(':')[1])).toEqual([
      'req0',
      'req1',
      'req2',
      'req3',
      'req4',
    ]);
    expect(pool.stats()).toMatchObject({ size: 3, idle: 3, busy: 0, waiting: 0 });
    // Never two calls at once on one instance: each lane saw its calls one after another.
    expect(factory.lanes.reduce((sum, lane) => sum + lane.calls.length, 0)).toBe(5);
    await pool.close();
  });

  it('fails a caller with queue_timeout when no instance frees up in time', async () => {
    vi.useFakeTimers();
    const factory = gatedFactory();
    const pool = await createInstancePool({ create: factory.create, min: 1, max: 1, acquireTimeoutMs: 250 });
    const first = pool.call('handle_command', 'a', context);
    const second = pool.call('handle_command', 'b', context);
    const outcome = second.then(
      () => undefined,
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(250);
    const error = await outcome;
    expect(PlinthError.isInstance(error) && error.code).toBe('queue_timeout');
    expect((error as PlinthError).message).toBe(
      'plugin acme.pool@1.0.0 (handle_command) waited 250 ms for a free instance; all 1 are busy',
    );
    expect((error as PlinthError).context).toEqual({ ...context, limit: 'acquireTimeoutMs' });
    expect(pool.stats().waiting).toBe(0);
    factory.releaseOne();
    expect(text(await first)).toBe('0:a');
    await pool.close();
  });

  it.each(['timeout', 'out_of_memory', 'trap', 'host_calls_exceeded', 'output_too_large'] as const)(
    'closes and replaces an instance whose call failed with %s',
    async (code) => {
      const recycled: unknown[] = [];
      const factory = gatedFactory((input) =>
        input === 'bad'
          ? Promise.reject(new PlinthError(code, `it broke: ${code}`, context))
          : Promise.resolve(input),
      );
      const pool = await createInstancePool({
        create: factory.create,
        min: 1,
        max: 1,
        onRecycle: (e) => recycled.push(e),
      });
      await expect(pool.call('handle_command', 'bad', context)).rejects.toMatchObject({ code });
      await settle();
      expect(factory.lanes[0]?.closed).toBe(true);
      expect(recycled).toEqual([expect.objectContaining({ code })]);
      expect(pool.stats()).toMatchObject({ size: 1, idle: 1, created: 2, recycled: 1 });
      expect(text(await pool.call('handle_command', 'fine', context))).toBe('fine');
      expect(factory.lanes[1]?.calls).toEqual(['fine']);
      await pool.close();
    },
  );

  it('keeps an instance whose guest reported an ordinary error', async () => {
    const factory = gatedFactory((input) =>
      input === 'bad'
        ? Promise.reject(new PlinthError('guest_error', 'no', context))
        : Promise.resolve(input),
    );
    const pool = await createInstancePool({ create: factory.create, min: 1, max: 1 });
    await expect(pool.call('handle_command', 'bad', context)).rejects.toMatchObject({ code: 'guest_error' });
    expect(text(await pool.call('handle_command', 'ok', context))).toBe('ok');
    expect(factory.lanes).toHaveLength(1);
    expect(pool.stats()).toMatchObject({ created: 1, recycled: 0 });
    await pool.close();
  });

  it('close() refuses queued and new calls, drains in-flight ones, then closes every instance', async () => {
    const factory = gatedFactory();
    const pool = await createInstancePool({ create: factory.create, min: 2, max: 2 });
    const inFlight = pool.call('handle_command', 'a', context);
    const busyToo = pool.call('handle_command', 'b', context);
    const queued = pool.call('handle_command', 'c', context);
    await settle();
    let closed = false;
    const closing = pool.close().then(() => (closed = true));
    await expect(queued).rejects.toMatchObject({ code: 'closed' });
    await expect(pool.call('handle_command', 'd', context)).rejects.toMatchObject({
      code: 'closed',
      message: 'plugin acme.pool@1.0.0 (handle_command) cannot run: the instance pool is closed',
    });
    await settle();
    expect(closed).toBe(false);
    factory.releaseOne();
    factory.releaseOne();
    expect(text(await inFlight)).toMatch(/^\d:a$/);
    expect(text(await busyToo)).toMatch(/^\d:b$/);
    await closing;
    expect(factory.lanes.every((lane) => lane.closed)).toBe(true);
    expect(pool.close()).toBe(pool.close());
  });

  it('gives a waiting caller the reason an instance could not start', async () => {
    let starts = 0;
    const pool = await createInstancePool({
      create: () =>
        ++starts === 1
          ? Promise.reject(new Error('worker failed to boot'))
          : Promise.resolve<Lane>(new FakeLane(starts, async (input) => input)),
      min: 0,
      max: 1,
    });
    const error: unknown = await pool.call('handle_command', 'x', context).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'load_failed',
      message: 'plugin acme.pool@1.0.0 (handle_command) could not start an instance: worker failed to boot',
    });
    expect(text(await pool.call('handle_command', 'y', context))).toBe('y');
    await pool.close();
  });

  it('fails to start, closing what did start, when a warm instance cannot be created', async () => {
    const started: FakeLane[] = [];
    let starts = 0;
    const create = () => {
      if (++starts === 2) return Promise.reject(new PlinthError('invalid_module', 'bad module'));
      const lane = new FakeLane(starts, async (i) => i);
      started.push(lane);
      return Promise.resolve<Lane>(lane);
    };
    await expect(createInstancePool({ create, min: 3, max: 3 })).rejects.toMatchObject({
      code: 'invalid_module',
    });
    expect(started.every((lane) => lane.closed)).toBe(true);
  });

  it('refuses nonsensical sizes', async () => {
    const create = () => Promise.resolve<Lane>(new FakeLane(0, async (i) => i));
    const refused = (message: string) =>
      expect.objectContaining({ code: 'invalid_options', message: `createInstancePool: ${message}` });
    await expect(createInstancePool({ create, min: 2, max: 1 })).rejects.toThrow(
      refused('option `max` must be a whole number of at least max(min, 1) = 2 (got 1)'),
    );
    await expect(createInstancePool({ create, min: -1 })).rejects.toThrow(
      refused('option `min` must be a whole number (0 or more) (got -1)'),
    );
    await expect(createInstancePool({ create, acquireTimeoutMs: 0 })).rejects.toThrow(
      refused('option `acquireTimeoutMs` must be a positive number (got 0)'),
    );
  });
});

describe('instance pool over real in-thread lanes', () => {
  const guests = new URL('../../../guests/corpus/', import.meta.url);
  const lanesFor = async (path: string) => {
    const bytes = Uint8Array.from(await readFile(new URL(`${path}/plugin.wasm`, guests)));
    const { module } = await loadModule({ bytes });
    let created = 0;
    return {
      created: () => created,
      create: () => {
        created += 1;
        return createInThreadLane({ module, bundle: {}, limits: resolveLimits() });
      },
    };
  };

  it('delivers every response to its own caller (golden/c-protocol echo)', async () => {
    const lanes = await lanesFor('golden/c-protocol');
    const pool = await createInstancePool({ create: lanes.create, min: 1, max: 4 });
    const requests = Array.from({ length: 200 }, (_, n) => ({ n, tag: `caller-${n}-${'x'.repeat(n % 13)}` }));
    const answers = await Promise.all(
      requests.map((params) =>
        pool.call('handle_command', JSON.stringify({ command: 'echo', params }), context).then(text),
      ),
    );
    answers.forEach((answer, n) => {
      expect(JSON.parse(answer)).toEqual({ success: true, data: requests[n] });
    });
    expect(lanes.created()).toBeLessThanOrEqual(4);
    expect(pool.stats()).toMatchObject({ busy: 0, waiting: 0, recycled: 0 });
    await pool.close();
  });

  it('recycles an instance after a trap, and the next call gets a fresh one (hostile-trap-unreachable)', async () => {
    const lanes = await lanesFor('hostile/hostile-trap-unreachable');
    const pool = await createInstancePool({ create: lanes.create, min: 1, max: 1 });
    const crash = JSON.stringify({ command: 'crash', params: null });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await expect(pool.call('handle_command', crash, context)).rejects.toMatchObject({
        code: 'trap',
        context: { pluginId: 'acme.pool', exportName: 'handle_command' },
      });
    }
    // The replacement starts in the background; wait for it rather than for one timer tick.
    await vi.waitFor(() => expect(pool.stats()).toMatchObject({ size: 1, recycled: 2, created: 3 }));
    expect(lanes.created()).toBe(3);
    await pool.close();
  });
});
