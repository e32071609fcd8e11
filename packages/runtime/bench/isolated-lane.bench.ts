// Per-call latency and host-function round trip of Plinth's lanes against raw @extism/extism 2.0.0-rc13,
// same guest, measured in the same run (absolute figures vary with the machine; the ratios are the point).
//   pnpm bench                      (BENCH_CALLS=20000 by default; BENCH_FLAT_CALLS=100000 for flatness)
import { readFileSync } from 'node:fs';
import createPlugin, { type CallContext, type Plugin } from '@extism/extism';
import { HOST_FUNCTION_NAMESPACE } from '@plinth/protocol';
import { createInThreadLane } from '../src/lanes/in-thread-lane.js';
import type { Lane } from '../src/lanes/lane.js';
import { resolveLimits } from '../src/limits.js';
import { createIsolatedLane } from '../src/node/index.js';

const CALLS = Number(process.env['BENCH_CALLS'] ?? 20_000);
const FLAT_CALLS = Number(process.env['BENCH_FLAT_CALLS'] ?? 100_000);
const WARMUP = 2_000;

const module = new WebAssembly.Module(
  readFileSync(new URL('../../testkit/guests/golden/c-protocol/plugin.wasm', import.meta.url)),
);
const PING = JSON.stringify({ command: 'ping', params: null });
const GREET = JSON.stringify({ command: 'greet', params: { name: 'Zoë' } });
const context = { pluginId: 'plinth-golden.c', exportName: 'handle_command' };

type Call = (input: string) => Promise<unknown>;

/** Mean µs per call over `count` calls, after a warm-up. */
async function measure(call: Call, input: string, count = CALLS): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await call(input);
  const start = performance.now();
  for (let i = 0; i < count; i++) await call(input);
  return ((performance.now() - start) * 1000) / count;
}

const rawFunctions = {
  [HOST_FUNCTION_NAMESPACE]: {
    host_log: (callContext: CallContext) => callContext.store(''),
    host_get_timestamp: (callContext: CallContext) => callContext.store('1700000000000'),
  },
};
async function raw(runInWorker: boolean): Promise<{ call: Call; close: () => Promise<void> }> {
  const plugin: Plugin = await createPlugin(module, { useWasi: false, runInWorker, functions: rawFunctions });
  return {
    // reset() after each call: without it rc13 runs out of block indices after ~32,767 calls.
    call: async (input) => {
      await plugin.call('handle_command', input);
      await plugin.reset();
    },
    close: () => plugin.close(),
  };
}

const bundle = { host_log: () => '', host_get_timestamp: () => '1700000000000' };
function laneCall(lane: Lane): Call {
  return (input) => lane.call('handle_command', input, context);
}

const rows: string[][] = [['case', 'Plinth µs', 'raw rc13 µs', 'raw / Plinth']];
const row = (name: string, ours: number, theirs: number) =>
  rows.push([name, ours.toFixed(1), theirs.toFixed(1), `${(theirs / ours).toFixed(2)}×`]);

const limits = resolveLimits();
const isolated = await createIsolatedLane({ module, bundle, limits });
const rawWorker = await raw(true);
row(
  'isolated: ping (no host call)',
  await measure(laneCall(isolated), PING),
  await measure(rawWorker.call, PING),
);
const isoGreet = await measure(laneCall(isolated), GREET);
const rawGreet = await measure(rawWorker.call, GREET);
row('isolated: greet (1 host_log)', isoGreet, rawGreet);
const isoPing = await measure(laneCall(isolated), PING);
const rawPing = await measure(rawWorker.call, PING);
row('isolated: host round trip (greet − ping)', isoGreet - isoPing, rawGreet - rawPing);
await rawWorker.close();

const inThread = await createInThreadLane({ module, bundle, limits });
const rawInThread = await raw(false);
row('in-thread: ping', await measure(laneCall(inThread), PING), await measure(rawInThread.call, PING));
row(
  'in-thread: greet (1 host_log)',
  await measure(laneCall(inThread), GREET),
  await measure(rawInThread.call, GREET),
);
await Promise.all([inThread.close(), rawInThread.close()]);

// Flatness: the isolated lane's cost per call at the start and at the end of FLAT_CALLS calls.
const window = Math.min(10_000, Math.floor(FLAT_CALLS / 4));
const call = laneCall(isolated);
const first = await measure(call, PING, window);
for (let i = 0; i < FLAT_CALLS - 2 * window; i++) await call(PING);
const last = await measure(call, PING, window);
await isolated.close();

const widths = rows[0]!.map((_, column) => Math.max(...rows.map((r) => r[column]!.length)));
for (const r of rows) console.log(r.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
console.log(
  `\nisolated lane over ${FLAT_CALLS} calls: first ${window} ${first.toFixed(1)} µs/call, last ${window} ${last.toFixed(1)} µs/call (last / first ${(last / first).toFixed(2)}×)`,
);
console.log(
  '(raw / Plinth > 1 means Plinth is faster. The in-thread rows time the lane alone and the raw call one after\n' +
    'the other, so order effects (JIT, GC) weigh on them; the in-thread overhead target is measured by\n' +
    'in-thread.bench.ts, whose two sides alternate in blocks.)',
);
