import { readFileSync } from 'node:fs';
import { getHostFunction, PlinthError } from '@plinth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostCallRecord } from '@plinth/host-kit';
import type { Lane } from '../lanes/lane.js';
import { resolveLimits, type PluginLimits } from '../limits.js';
import { capMemory } from '../module/cap-memory.js';
import { createIsolatedLane, type IsolatedHostBundle } from './index.js';

interface ConformanceRow {
  name: string;
  request: unknown;
  response: unknown;
  hostCalls: { function: string; input?: unknown }[];
}
const conformance = JSON.parse(
  readFileSync(new URL('../../../guests/corpus/conformance.json', import.meta.url), 'utf8'),
) as { host: Record<string, string>; rows: ConformanceRow[] };

const guestBytes = (path: string) =>
  readFileSync(new URL(`../../../guests/corpus/${path}/plugin.wasm`, import.meta.url));
const command = (name: string, params: unknown = null) => JSON.stringify({ command: name, params });
const text = (output: Uint8Array | null) => (output ? new TextDecoder().decode(output) : null);
const context = (pluginId: string, exportName = 'handle_command') => ({
  pluginId,
  pluginVersion: '0.1.0',
  exportName,
});

/** host_log answers synchronously, host_get_timestamp after an await: both kinds must work. */
const conformanceBundle: IsolatedHostBundle = {
  host_log: () => conformance.host['host_log'] ?? '',
  host_get_timestamp: async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return conformance.host['host_get_timestamp'] ?? '';
  },
};

const lanes: Lane[] = [];
afterEach(async () => {
  await Promise.all(lanes.splice(0).map((lane) => lane.close()));
});

async function open(
  path: string,
  options: {
    bundle?: IsolatedHostBundle;
    limits?: Partial<PluginLimits>;
    bytes?: Uint8Array<ArrayBuffer>;
    records?: HostCallRecord[];
    handlerErrors?: string[];
  } = {},
) {
  const lane = await createIsolatedLane({
    module: new WebAssembly.Module(options.bytes ?? guestBytes(path)),
    bundle: options.bundle ?? conformanceBundle,
    limits: resolveLimits(options.limits),
    onHostCall: (record) => options.records?.push(record),
    onHandlerError: (error, name) => options.handlerErrors?.push(`${name}: ${(error as Error).message}`),
  });
  lanes.push(lane);
  return lane;
}

async function rejection(promise: Promise<unknown>): Promise<PlinthError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!PlinthError.isInstance(error)) throw new Error(`expected a PlinthError, got ${String(error)}`);
  return error;
}

describe('isolated lane: golden guests answer the conformance table', () => {
  const golden = ['golden/as-http', 'golden/as-notes', 'golden/c-protocol', 'golden/rust-protocol'];
  it.each([...golden, 'golden/wat-protocol'])('%s', async (path) => {
    const records: HostCallRecord[] = [];
    const lane = await open(path, { records });
    expect(lane.kind).toBe('isolated');
    expect(lane.hasExport('handle_command')).toBe(true);
    for (const row of conformance.rows) {
      records.length = 0;
      const { output, hostCalls } = await lane.call('handle_command', JSON.stringify(row.request), {
        pluginId: path,
        exportName: 'handle_command',
      });
      expect(JSON.parse(text(output) ?? 'null'), row.name).toEqual(row.response);
      expect(hostCalls, row.name).toBe(row.hostCalls.length);
      expect(
        records.map((r) => ({ function: r.function, outcome: r.outcome })),
        row.name,
      ).toEqual(row.hostCalls.map((call) => ({ function: call.function, outcome: 'ok' })));
      row.hostCalls.forEach((call, index) => {
        if (call.input !== undefined) expect(JSON.parse(records[index]?.input ?? '')).toEqual(call.input);
      });
    }
  });
});

describe('isolated lane: wall-clock timeout', () => {
  it.each([
    ['hostile/hostile-loop-command', 'handle_command', command('spin'), 'manifest'],
    ['hostile/hostile-loop-init', 'init', '{"workspace_root":null}', 'handle_command'],
    ['hostile/hostile-loop-manifest', 'manifest', '', 'handle_command'],
  ])(
    '%s: %s is terminated with timeout, then the lane serves again',
    async (path, exportName, input, good) => {
      const pluginId = path.replace('hostile/hostile-', 'hostile.');
      const lane = await open(path, { limits: { timeoutMs: 300 } });
      const error = await rejection(lane.call(exportName, input, context(pluginId, exportName)));
      expect(error.code).toBe('timeout');
      expect(error.context).toMatchObject({
        pluginId,
        pluginVersion: '0.1.0',
        exportName,
        limit: 'timeoutMs',
      });
      expect(error.message).toBe(
        `plugin ${pluginId}@0.1.0 (${exportName}) timed out after 300 ms; its worker was terminated and a fresh instance (with fresh memory) will serve the next call`,
      );
      const next = await lane.call(
        good,
        good === 'handle_command' ? command('ping') : '',
        context(pluginId, good),
      );
      expect(text(next.output)).toMatch(good === 'manifest' ? /"id":"hostile\.loop-command"/ : /pong/);
    },
  );

  it('hostile-memory-grow capped to 16 pages ends in timeout or out_of_memory, and the host lives on', async () => {
    const capped = capMemory(guestBytes('hostile/hostile-memory-grow'), {
      maxPages: 16,
      onUnbounded: 'cap',
      onTooLarge: 'cap',
    });
    if (!capped.ok) throw new Error(capped.reason);
    expect(capped.action).toBe('capped');
    const lane = await open('hostile/hostile-memory-grow', {
      bytes: new Uint8Array(capped.bytes),
      limits: { timeoutMs: 300, memoryMaxPages: 16 },
    });
    const error = await rejection(
      lane.call('handle_command', command('grow'), context('hostile.memory-grow')),
    );
    expect(['timeout', 'out_of_memory']).toContain(error.code);
    expect(error.context).toMatchObject({ pluginId: 'hostile.memory-grow', exportName: 'handle_command' });
    const manifest = await lane.call('manifest', '', context('hostile.memory-grow', 'manifest'));
    expect(text(manifest.output)).toMatch(/"id":"hostile\.memory-grow"/);
  });
});

describe('isolated lane: host functions', () => {
  it('turns a throwing or rejecting handler into the failure shape without wedging the worker', async () => {
    const handlerErrors: string[] = [];
    const records: HostCallRecord[] = [];
    const lane = await open('golden/c-protocol', {
      records,
      handlerErrors,
      bundle: {
        host_log: () => {
          throw new Error('log sink exploded');
        },
        host_get_timestamp: () => Promise.reject(new Error('clock unplugged')),
      },
    });
    const greet = await lane.call(
      'handle_command',
      command('greet', { name: 'Zoë' }),
      context('plinth-golden.c'),
    );
    expect(JSON.parse(text(greet.output) ?? '')).toEqual({ success: true, data: 'Hello, Zoë!' });
    await lane.call('handle_command', command('time'), context('plinth-golden.c'));
    expect(handlerErrors).toEqual(['host_log: log sink exploded', 'host_get_timestamp: clock unplugged']);
    expect(records.map((r) => [r.function, r.outcome, r.output])).toEqual([
      ['host_log', 'internal_error', 'host_log: internal error in the host'],
      [
        'host_get_timestamp',
        'internal_error',
        getHostFunction('host_get_timestamp').failureOutput('internal error in the host'),
      ],
    ]);
    const ping = await lane.call('handle_command', command('ping'), context('plinth-golden.c'));
    expect(JSON.parse(text(ping.output) ?? '')).toEqual({ success: true, data: 'pong' });
  });

  it('carries host answers larger than the shared buffer', async () => {
    const big = 'x'.repeat(300_000);
    const lane = await open('hostile/hostile-fs-escape', { bundle: { host_read_file: async () => big } });
    const { output } = await lane.call(
      'handle_command',
      command('read_parent'),
      context('hostile.fs-escape'),
    );
    expect((JSON.parse(text(output) ?? '') as { data: string }).data).toBe(big);
  });

  it('fails the call with host_calls_exceeded past hostCallsPerCall', async () => {
    const lane = await open('hostile/hostile-events-flood', {
      bundle: { host_emit_event: () => '' },
      limits: { hostCallsPerCall: 3 },
    });
    const error = await rejection(
      lane.call('handle_command', command('flood', { count: 5 }), context('hostile.events-flood')),
    );
    expect(error.code).toBe('host_calls_exceeded');
    expect(error.context.limit).toBe('hostCallsPerCall');
    expect(error.message).toBe(
      'plugin hostile.events-flood@0.1.0 (handle_command) made 5 host calls; the limit is 3 per call',
    );
  });
});

describe('isolated lane: calls', () => {
  it('serializes concurrent calls and gives every caller its own answer', async () => {
    const lane = await open('golden/c-protocol');
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        lane.call('handle_command', command('echo', { i }), context('plinth-golden.c')),
      ),
    );
    expect(answers.map(({ output }) => JSON.parse(text(output) ?? ''))).toEqual(
      Array.from({ length: 25 }, (_, i) => ({ success: true, data: { i } })),
    );
  });

  it('refuses an output above outputMaxBytes in the worker', async () => {
    const lane = await open('hostile/hostile-output-huge');
    const error = await rejection(
      lane.call('handle_command', command('flood'), context('hostile.output-huge')),
    );
    expect(error.code).toBe('output_too_large');
    expect(error.context.limit).toBe('outputMaxBytes');
    expect(error.message).toBe(
      `plugin hostile.output-huge@0.1.0 (handle_command) produced 67108864 bytes of output; the limit is ${16 * 1024 * 1024}`,
    );
  });

  it.each([
    ['hostile/hostile-trap-unreachable', 'crash', /unreachable/],
    ['hostile/hostile-stack-overflow', 'recurse', /stack/i],
  ])('%s traps with a typed error and keeps serving', async (path, name, message) => {
    const lane = await open(path);
    const error = await rejection(lane.call('handle_command', command(name), context('hostile.x')));
    expect(error.code).toBe('trap');
    expect(error.message).toMatch(/^plugin hostile\.x@0\.1\.0 \(handle_command\) trapped: /);
    expect(error.message).toMatch(message);
    expect(text((await lane.call('manifest', '', context('hostile.x', 'manifest'))).output)).toMatch(/"id"/);
  });

  it('refuses a module the worker cannot instantiate with load_failed, without crashing the host', async () => {
    const error = await rejection(open('hostile/hostile-import-env'));
    expect(error.code).toBe('load_failed');
    expect(error.message).toMatch(/^plugin could not start in its worker: .*env/);
  });

  it('rejects calls after close() with closed', async () => {
    const lane = await open('golden/c-protocol');
    await lane.close();
    const error = await rejection(lane.call('handle_command', command('ping'), context('plinth-golden.c')));
    expect(error.code).toBe('closed');
    expect(error.message).toBe(
      'plugin plinth-golden.c@0.1.0 (handle_command) cannot run: the instance is closed',
    );
  });
});
