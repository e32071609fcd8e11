// Pool scaling for a CPU-bound guest on the isolated lane: throughput of an instance pool with 2 instances
// against the same pool with 1, under the same concurrent load, measured in the same run (target ≥ 1.7×
// on 2 cores). The guest is wat-plain's `reverse`: two kernel calls per input byte, all inside the worker,
// so one call on BENCH_INPUT_KIB (default 128) KiB takes a few ms of pure CPU and no host round trip.
//   node --expose-gc --import tsx bench/pool.bench.ts   (BENCH_CALLERS=4, BENCH_CALLS_PER_CALLER=40)
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { HostCallContext } from '@plinth/host-kit';
import { createInThreadLane } from '../dist/lanes/in-thread-lane.js';
import type { Lane, LaneFactory } from '../dist/lanes/lane.js';
import { resolveLimits } from '../dist/limits.js';
import { loadModule } from '../dist/loader/load-module.js';
import { createIsolatedLane } from '../dist/node/isolated-lane.js';
import { createInstancePool } from '../dist/pool/instance-pool.js';

const INPUT_KIB = Number(process.env['BENCH_INPUT_KIB'] ?? 128);
const CALLERS = Number(process.env['BENCH_CALLERS'] ?? 4);
const CALLS_PER_CALLER = Number(process.env['BENCH_CALLS_PER_CALLER'] ?? 40);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);

const { module } = await loadModule({
  bytes: new Uint8Array(
    readFileSync(new URL('../../guests/corpus/plain/wat-plain/plugin.wasm', import.meta.url)),
  ),
});
const input = new Uint8Array(INPUT_KIB * 1024);
for (let i = 0; i < input.length; i++) input[i] = (i * 31 + 7) & 0xff;
const context: HostCallContext = { pluginId: 'wat-plain', exportName: 'reverse' };
// The limits are the defaults but for the timeout, so a slow machine measures instead of timing out.
const limits = resolveLimits({ timeoutMs: 60_000 });
const laneOptions = { module, bundle: {}, limits };

/** Whether one call's output is the input reversed (a wrong answer would make every figure meaningless). */
function reversed(output: Uint8Array | null): boolean {
  if (output?.length !== input.length) return false;
  for (let i = 0; i < input.length; i++) if (output[i] !== input[input.length - 1 - i]) return false;
  return true;
}

/** Sequential calls on one lane: ms per call. */
async function sequential(lane: Lane, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await lane.call('reverse', input, context);
  return (performance.now() - start) / count;
}

/** CALLERS concurrent callers × CALLS_PER_CALLER calls each through a pool of `max` instances: calls/s. */
async function poolThroughput(create: LaneFactory, max: number): Promise<number> {
  // min = max, so every instance is started (and warmed) before the clock runs.
  const pool = await createInstancePool({ create: () => create(laneOptions), min: max, max });
  try {
    const warm = await Promise.all(
      Array.from({ length: max * 2 }, () => pool.call('reverse', input, context)),
    );
    if (!warm.every((result) => reversed(result.output))) throw new Error('reverse gave a wrong answer');
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        for (let i = 0; i < CALLS_PER_CALLER; i++) await pool.call('reverse', input, context);
      }),
    );
    return (CALLERS * CALLS_PER_CALLER * 1000) / (performance.now() - start);
  } finally {
    await pool.close();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

// Reference: one in-thread instance, sequential calls (the guest's cost without any thread crossing).
const inThread = await createInThreadLane(laneOptions);
const check = await inThread.call('reverse', input, context);
await sequential(inThread, 5);
const inThreadMs = await sequential(inThread, 40);
await inThread.close();

const isolated = await createIsolatedLane(laneOptions);
await sequential(isolated, 5);
const isolatedMs = await sequential(isolated, 40);
await isolated.close();

// Alternate the two pool sizes so drift (thermal, other load) hits both alike; report the median round.
const one: number[] = [];
const two: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  one.push(await poolThroughput(createIsolatedLane, 1));
  two.push(await poolThroughput(createIsolatedLane, 2));
}
const oneRate = median(one);
const twoRate = median(two);
// Each round's ratio compares two runs a few seconds apart, so it is the figure least moved by drift.
const ratios = two.map((rate, round) => rate / one[round]!);

const rows: string[][] = [['case', 'ms/call', 'calls/s', 'vs isolated pool max=1']];
const row = (name: string, msPerCall: number, rate: number) =>
  rows.push([name, msPerCall.toFixed(2), rate.toFixed(0), `${(rate / oneRate).toFixed(2)}×`]);
row('in-thread lane, 1 instance, sequential', inThreadMs, 1000 / inThreadMs);
row('isolated lane, 1 instance, sequential', isolatedMs, 1000 / isolatedMs);
row(`isolated pool max=1, ${CALLERS} callers`, 1000 / oneRate, oneRate);
row(`isolated pool max=2, ${CALLERS} callers`, 1000 / twoRate, twoRate);

console.log(
  `reverse of ${INPUT_KIB} KiB on wat-plain (${input.length * 2} kernel calls per call); ` +
    `${availableParallelism()} CPUs; output checked: ${reversed(check.output) ? 'yes' : 'WRONG'}`,
);
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((r) => r[column]!.length)));
for (const r of rows) console.log(r.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
console.log(
  `\npool scaling, 2 instances vs 1: ${median(ratios).toFixed(2)}× (median of rounds ` +
    `${ratios.map((ratio) => `${ratio.toFixed(2)}×`).join(', ')}; target ≥ 1.7× on 2 cores)`,
);
