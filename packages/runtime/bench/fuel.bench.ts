/**
 * Fuel metering benchmarks, each against a baseline measured in the same run, sides in alternating blocks
 * (bench/alternating-blocks.ts):
 *  - CPU-bound guests, metered vs unmetered in-thread: the plain WAT `reverse` (4 KiB input), the golden
 *    C guest's `echo` of a 64 KiB string (its JSON scanner is a C loop over every byte), and a tight WAT
 *    arithmetic loop (the worst case: nothing but the loop itself to charge);
 *  - protocol `ping`: metered in-thread vs the isolated lane, idle and with one core busy;
 *  - RSS per loaded untrusted plugin: metered in-thread vs isolated (kept open, golden C guest);
 *  - 100 metered plugins loaded with warm caches;
 *  - metering a 1 MiB module: time and size growth.
 *   node --expose-gc --import tsx bench/fuel.bench.ts
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import wabt from 'wabt';
import { meterModule } from '../dist/module/meter/meter-module.js';
import { createIsolatedLane } from '../dist/node/isolated-lane.js';
import { openPlugin, openProtocolPluginFrom } from '../dist/open-plugin.js';
import type { ProtocolPlugin } from '../dist/protocol/protocol-plugin.js';
import { compareAlternating } from './alternating-blocks.js';
import { BENCH_BUNDLE, GOLDEN_C_WASM } from './raw-baseline.js';

const WAT_PLAIN = new Uint8Array(
  readFileSync(new URL('../../guests/corpus/plain/wat-plain/plugin.wasm', import.meta.url)),
);
const gc = (globalThis as { gc?: () => void }).gc;
const wabtModule = await wabt();
const wat = (source: string) => {
  const parsed = wabtModule.parseWat('bench.wat', source);
  try {
    return Uint8Array.from(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
};
const ratioLine = (name: string, results: Awaited<ReturnType<typeof compareAlternating>>) => {
  const [base, side] = results;
  console.log(
    `${name}: ${side!.name} ${side!.meanUs.toFixed(1)} µs/call vs ${base!.name} ${base!.meanUs.toFixed(1)} µs/call, ` +
      `${side!.medianRatio.toFixed(2)}× (all blocks together ${side!.pooledRatio.toFixed(2)}×)`,
  );
};

// 1. CPU-bound guests, metered / unmetered in-thread.
// The loop's result is the output, so the engine cannot drop the arithmetic as dead code.
const LOOP = wat(`(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1 1)
  (func (export "spin") (result i32)
    (local $n i64) (local $acc i64) (local $out i64)
    (local.set $n (i64.mul (call $input_length) (i64.const 1000)))
    (block $done
      (loop $next
        (br_if $done (i64.eqz (local.get $n)))
        (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 31)) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $next)))
    (local.set $out (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $out) (local.get $acc))
    (call $output_set (local.get $out) (i64.const 8))
    (i32.const 0)))`);
const reverseInput = 'r'.repeat(4096);
const echoParams = { text: 'e'.repeat(64 * 1024) };
const cpuCases = [
  { name: 'plain WAT reverse (4 KiB)', bytes: WAT_PLAIN, exportName: 'reverse', input: reverseInput },
  { name: 'tight WAT loop (100k iterations)', bytes: LOOP, exportName: 'spin', input: 'x'.repeat(100) },
];
for (const entry of cpuCases) {
  const plain = await openPlugin({ source: { bytes: entry.bytes } });
  const metered = await openPlugin({ source: { bytes: entry.bytes }, fuel: true });
  const results = await compareAlternating({
    sides: [
      { name: 'unmetered', call: () => plain.call(entry.exportName, entry.input) },
      { name: 'metered', call: () => metered.call(entry.exportName, entry.input) },
    ],
    blocks: 120,
    warmupBlocks: 20,
    callsPerBlock: 20,
  });
  ratioLine(`in-thread ${entry.name}`, results);
  await plain.close();
  await metered.close();
}
const openC = (fuel: boolean, lane?: typeof createIsolatedLane) =>
  openProtocolPluginFrom({
    source: { bytes: GOLDEN_C_WASM },
    hostAppVersion: '1.0.0',
    bundle: BENCH_BUNDLE,
    fuel,
    ...(lane ? { lane } : {}),
  });
{
  const plain = await openC(false);
  const metered = await openC(true);
  const results = await compareAlternating({
    sides: [
      { name: 'unmetered', call: () => plain.command('echo', echoParams) },
      { name: 'metered', call: () => metered.command('echo', echoParams) },
    ],
    blocks: 120,
    warmupBlocks: 20,
    callsPerBlock: 20,
  });
  ratioLine('in-thread golden C echo (64 KiB JSON scan)', results);
  await plain.shutdown();
  await metered.shutdown();
}
console.log('(target for reverse and the C loop: metered ≤ 1.3× unmetered)');

// 2. Protocol ping: metered vs unmetered in-thread, and metered in-thread vs the isolated lane.
{
  const plain = await openC(false);
  const metered = await openC(true);
  const results = await compareAlternating({
    sides: [
      { name: 'unmetered', call: () => plain.command('ping') },
      { name: 'metered', call: () => metered.command('ping') },
    ],
  });
  ratioLine('in-thread protocol ping', results);
  await plain.shutdown();
  await metered.shutdown();
}
// Both on an idle machine and with one core kept busy by a spinning child process.
for (const condition of ['idle', 'one core busy'] as const) {
  const busy =
    condition === 'one core busy'
      ? spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })
      : undefined;
  const metered = await openC(true);
  const isolated = await openC(false, createIsolatedLane);
  try {
    const results = await compareAlternating({
      sides: [
        { name: 'metered in-thread', call: () => metered.command('ping') },
        { name: 'isolated lane', call: () => isolated.command('ping') },
      ],
      blocks: 200,
      warmupBlocks: 20,
      callsPerBlock: 50,
    });
    const [fast, slow] = results;
    console.log(
      `protocol ping, ${condition}: metered in-thread ${fast!.meanUs.toFixed(1)} µs/call, isolated ${slow!.meanUs.toFixed(1)} µs/call: ` +
        `metered in-thread ${slow!.medianRatio.toFixed(1)}× faster (all blocks ${slow!.pooledRatio.toFixed(1)}×; target ≥ 8×)`,
    );
  } finally {
    busy?.kill();
    await metered.shutdown();
    await isolated.shutdown();
  }
}

// 3. RSS per loaded untrusted plugin.
const rss = () => {
  gc?.();
  return process.memoryUsage().rss;
};
async function rssPer(count: number, lane?: typeof createIsolatedLane): Promise<number> {
  const before = rss();
  const plugins: ProtocolPlugin[] = [];
  for (let i = 0; i < count; i++) plugins.push(await openC(lane === undefined, lane));
  const after = rss();
  await Promise.all(plugins.map((plugin) => plugin.shutdown()));
  return (after - before) / count / (1024 * 1024);
}
await (await openC(true)).shutdown(); // warm the compile cache for both
const meteredRss = await rssPer(50);
const isolatedRss = await rssPer(10, createIsolatedLane);
console.log(
  `RSS per loaded plugin: metered in-thread ${meteredRss.toFixed(2)} MiB (50 kept open), isolated ${isolatedRss.toFixed(2)} MiB (10 kept open)` +
    `${gc ? '' : ' (approximate: run with --expose-gc)'}; target ≤ 1 MiB vs ~8.6 MiB`,
);

// 4. 100 metered plugins, warm caches, against 100 unmetered ones (alternating rounds).
{
  const loadHundred = async (fuel: boolean) => {
    const start = performance.now();
    const plugins: ProtocolPlugin[] = [];
    for (let i = 0; i < 100; i++) plugins.push(await openC(fuel));
    const ms = performance.now() - start;
    await Promise.all(plugins.map((plugin) => plugin.shutdown()));
    return ms;
  };
  const rounds: Record<'metered' | 'unmetered', number[]> = { metered: [], unmetered: [] };
  for (let round = 0; round < 6; round++) {
    for (const fuel of round % 2 === 0 ? [true, false] : [false, true]) {
      rounds[fuel ? 'metered' : 'unmetered'].push(await loadHundred(fuel));
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  console.log(
    `100 plugins loaded (golden C guest, warm caches, sequential, median of 6 alternating rounds): ` +
      `metered ${median(rounds.metered).toFixed(0)} ms, unmetered ${median(rounds.unmetered).toFixed(0)} ms; target ≤ 150 ms`,
  );
}

// 5. Metering a 1 MiB module.
{
  const functions: string[] = [];
  for (let i = 0; functions.join('').length < 7_400_000; i++) {
    functions.push(`(func (export "f${i}") (param $n i32) (result i32) (local $acc i32)
      (block $done (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (i32.mul (local.get $acc) (i32.const ${i + 3})) (i32.load (local.get $n))))
        (if (i32.gt_u (local.get $acc) (i32.const 1000)) (then (local.set $acc (i32.rem_u (local.get $acc) (i32.const 97)))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
      (local.get $acc))`);
  }
  const big = wat(`(module (memory 1 1) ${functions.join('\n')})`);
  const times: number[] = [];
  let grown = 0;
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    const result = meterModule(big);
    times.push(performance.now() - start);
    if (!result.ok) throw new Error(result.problem.message);
    grown = result.bytes.length;
  }
  times.sort((a, b) => a - b);
  console.log(
    `metering a ${(big.length / (1024 * 1024)).toFixed(2)} MiB module (${functions.length} functions): median ${times[3]!.toFixed(0)} ms of 7, ` +
      `size ${(grown / big.length).toFixed(2)}× (${big.length} → ${grown} bytes)`,
  );
}
