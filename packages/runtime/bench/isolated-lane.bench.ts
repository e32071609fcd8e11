// Per-call latency and host-function round trip of Plinth's lanes against raw @extism/extism 2.0.0-rc13,
// same guest, measured in the same run (absolute figures vary with the machine; the ratios are the point).
// Raw baselines from bench/raw-baseline.ts; the in-thread rows alternate their sides in blocks
// (bench/alternating-blocks.ts), so they measure the lane alone exactly as in-thread.bench.ts does.
// The isolated rows also alternate their sides in blocks, once on an idle machine and once with one core
// kept busy by a spinning child process.
//   pnpm bench          (BENCH_FLAT_CALLS=100000 for flatness)
import { createInThreadLane } from '../dist/lanes/in-thread-lane.js';
import type { Lane } from '../dist/lanes/lane.js';
import { resolveLimits } from '../dist/limits.js';
import { createIsolatedLane } from '../dist/node/index.js';
import { compareAlternating, time, type SideResult } from './alternating-blocks.js';
import {
  BENCH_BUNDLE as bundle,
  GOLDEN_C_WASM,
  GREET,
  HANDLE_COMMAND_CONTEXT as context,
  openRawInThread,
  openRawInWorker,
  PING,
  type RawCall,
} from './raw-baseline.js';
import { spawn } from 'node:child_process';

const FLAT_CALLS = Number(process.env['BENCH_FLAT_CALLS'] ?? 100_000);
const module = new WebAssembly.Module(GOLDEN_C_WASM);

/** The in-thread lane against raw, one input, alternating blocks: [raw, Plinth]. */
async function compare(lane: Lane, raw: RawCall, input: string): Promise<SideResult[]> {
  return compareAlternating({
    sides: [
      { name: 'raw', call: () => raw.call(input) },
      { name: 'Plinth', call: () => lane.call('handle_command', input, context) },
    ],
  });
}

const rows: string[][] = [['case', 'Plinth µs', 'raw rc13 µs', 'raw / Plinth']];
const row = (name: string, [raw, ours]: SideResult[]) =>
  rows.push([
    name,
    ours!.meanUs.toFixed(1),
    raw!.meanUs.toFixed(1),
    `${(1 / ours!.medianRatio).toFixed(2)}× (median of blocks)`,
  ]);

const limits = resolveLimits();
// In-thread first, with no worker alive, as in in-thread.bench.ts.
const inThread = await createInThreadLane({ module, bundle, limits });
const rawInThread = await openRawInThread(module);
row('in-thread: ping (lane alone)', await compare(inThread, rawInThread, PING));
row('in-thread: greet (lane alone, 1 host_log)', await compare(inThread, rawInThread, GREET));
await Promise.all([inThread.close(), rawInThread.close()]);

const isolated = await createIsolatedLane({ module, bundle, limits });
const rawWorker = await openRawInWorker(module);
/**
 * Isolated lane vs raw rc13 worker + reset(), in alternating blocks, on an idle machine and with one core
 * kept busy by another process (a loaded server is when speed matters; spinning waits compete for cores).
 */
async function compareWorkers(input: string): Promise<SideResult[]> {
  return compareAlternating({
    sides: [
      { name: 'raw', call: () => rawWorker.call(input) },
      { name: 'Plinth', call: () => isolated.call('handle_command', input, context) },
    ],
    blocks: 70,
    warmupBlocks: 10,
    callsPerBlock: 100,
  });
}
const ratioRows: string[] = [];
for (const condition of ['idle', 'one core busy'] as const) {
  const busy =
    condition === 'one core busy'
      ? spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })
      : undefined;
  try {
    for (const [name, input] of [
      ['ping (no host call)', PING],
      ['greet (1 host_log)', GREET],
    ] as const) {
      const [raw, ours] = await compareWorkers(input);
      row(`isolated, ${condition}: ${name}`, [raw!, ours!]);
      ratioRows.push(
        `isolated vs raw worker + reset(), ${condition}, ${name}: ${ours!.medianRatio.toFixed(2)}× the raw time (target ≤ 0.5×)`,
      );
    }
  } finally {
    busy?.kill();
  }
}
await rawWorker.close();

// Flatness: the isolated lane's cost per call at the start and at the end of FLAT_CALLS calls.
const window = Math.min(10_000, Math.floor(FLAT_CALLS / 4));
const call = () => isolated.call('handle_command', PING, context);
for (let i = 0; i < 2_000; i++) await call();
const first = await time(window, call);
for (let i = 0; i < FLAT_CALLS - 2 * window; i++) await call();
const last = await time(window, call);
await isolated.close();

const widths = rows[0]!.map((_, column) => Math.max(...rows.map((r) => r[column]!.length)));
for (const r of rows) console.log(r.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
console.log(
  `\n${ratioRows.join('\n')}\nisolated lane over ${FLAT_CALLS} calls: first ${window} ${first.toFixed(1)} µs/call, last ${window} ${last.toFixed(1)} µs/call (last / first ${(last / first).toFixed(2)}×)`,
);
console.log(
  '(raw / Plinth > 1 means Plinth is faster. The in-thread rows are the lane alone; in-thread.bench.ts\n' +
    'measures it the same way beside lane + protocol, against the same raw baseline.)',
);
