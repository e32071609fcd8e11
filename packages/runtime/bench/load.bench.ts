// Load time for 100 plugins with the compiled-module cache cold vs warm, and memory per loaded instance,
// each against a baseline measured in the same run.
//  - Load: the five golden guests, 20 distinct copies each (a custom section with a different payload is
//    appended, so every copy has its own sha256 and a cold load really compiles it). One load is
//    loadModule + createInThreadLane + ProtocolPlugin.open (manifest, set_config, init), through
//    openProtocolPluginFrom. Every round uses fresh copies: V8 also shares compiled code between identical
//    bytes inside one process, so reused bytes would not be cold even with a new CompileCache.
//  - Memory: 100 in-thread and 10 isolated-lane instances of golden/c-protocol, kept open.
//   node --expose-gc --import tsx bench/load.bench.ts   (BENCH_ROUNDS=3)
import { readFileSync } from 'node:fs';
import { createCompileCache, type CompileCache } from '../dist/loader/compile-cache.js';
import { encodeU32 } from '../dist/module/leb128.js';
import { createIsolatedLane } from '../dist/node/isolated-lane.js';
import { openProtocolPluginFrom } from '../dist/open-plugin.js';
import type { ProtocolPlugin } from '../dist/protocol/protocol-plugin.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const COPIES = 20;
const IN_THREAD_INSTANCES = 100;
const ISOLATED_INSTANCES = 10;
const GOLDEN = ['as-http', 'as-notes', 'c-protocol', 'rust-protocol', 'wat-protocol'] as const;
const gc = (globalThis as { gc?: () => void }).gc;
const encoder = new TextEncoder();

const golden = GOLDEN.map(
  (name) =>
    new Uint8Array(readFileSync(new URL(`../../guests/corpus/golden/${name}/plugin.wasm`, import.meta.url))),
);

/** The module with a custom section (id 0, size, name, payload) appended: same code, different bytes. */
function withCustomSection(bytes: Uint8Array, name: string, payload: string): Uint8Array {
  const nameBytes = encoder.encode(name);
  const body = [encodeU32(nameBytes.length), nameBytes, encoder.encode(payload)];
  const size = body.reduce((sum, part) => sum + part.length, 0);
  const parts = [bytes, Uint8Array.of(0), encodeU32(size), ...body];
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** 100 distinct modules: every golden guest, COPIES times, salted with `salt`. */
const copies = (salt: string) =>
  golden.flatMap((bytes) =>
    Array.from({ length: COPIES }, (_, copy) => withCustomSection(bytes, 'plinth.bench', `${salt}/${copy}`)),
  );

const open = (bytes: Uint8Array, cache: CompileCache | false, lane?: typeof createIsolatedLane) =>
  openProtocolPluginFrom({
    source: { bytes },
    hostAppVersion: '1.0.0',
    cache,
    ...(lane ? { lane } : {}),
  });

/** Opens every module in turn (sequential: the time of one load, not the machine's parallelism); total ms. */
async function loadAll(modules: Uint8Array[], cache: CompileCache | false): Promise<number> {
  const plugins: ProtocolPlugin[] = [];
  const start = performance.now();
  for (const bytes of modules) plugins.push(await open(bytes, cache));
  const elapsed = performance.now() - start;
  await Promise.all(plugins.map((plugin) => plugin.shutdown()));
  return elapsed;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

// Warm up the JavaScript side (loader, lanes, protocol layer) on copies no measured round uses.
await loadAll(copies('warm-up').slice(0, 50), createCompileCache({ maxEntries: 128 }));

const cold: number[] = [];
const warm: number[] = [];
const uncached: number[] = [];
let compiles = 0;
for (let round = 0; round < ROUNDS; round++) {
  // maxEntries above 100: the default (64) would evict the first copies before the warm pass reaches them.
  const cache = createCompileCache({ maxEntries: 128 });
  const modules = copies(`round-${round}`);
  cold.push(await loadAll(modules, cache));
  compiles = cache.stats().misses;
  warm.push(await loadAll(modules, cache));
  uncached.push(await loadAll(copies(`uncached-${round}`), false));
}
const count = COPIES * GOLDEN.length;
const coldMs = median(cold);
const warmMs = median(warm);
const uncachedMs = median(uncached);

const table = (rows: string[][]) => {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((r) => r[column]!.length)));
  for (const r of rows) console.log(r.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
};
console.log(`load ${count} protocol plugins (${GOLDEN.join(', ')} × ${COPIES} distinct copies), in-thread`);
table([
  ['case', 'total ms', 'ms/plugin', 'vs warm'],
  ...[
    [`cold: new CompileCache (${compiles} compiles)`, coldMs],
    ['warm: same bytes again, same cache', warmMs],
    ['cache: false (fresh bytes)', uncachedMs],
  ].map(([name, ms]) => [
    String(name),
    Number(ms).toFixed(1),
    (Number(ms) / count).toFixed(2),
    `${(Number(ms) / warmMs).toFixed(2)}×`,
  ]),
]);
console.log(
  `cold / warm: ${(coldMs / warmMs).toFixed(2)}× (median of ${ROUNDS} rounds: cold ` +
    `[${cold.map((ms) => ms.toFixed(0)).join(', ')}] ms, warm [${warm.map((ms) => ms.toFixed(0)).join(', ')}] ms)\n`,
);

// Memory: the growth of the process's figures while `n` instances are open, per instance, after a GC.
const memory = () => {
  gc?.();
  gc?.();
  return process.memoryUsage();
};
const c = golden[GOLDEN.indexOf('c-protocol')]!;
const memoryCache = createCompileCache();
async function perInstance(n: number, lane?: typeof createIsolatedLane) {
  // One instance first, so the compiled module and the lane's code are loaded before the baseline.
  await (await open(c, memoryCache, lane)).shutdown();
  const before = memory();
  const plugins: ProtocolPlugin[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) plugins.push(await open(c, memoryCache, lane));
  const loadMs = (performance.now() - start) / n;
  const after = memory();
  await Promise.all(plugins.map((plugin) => plugin.shutdown()));
  const kib = (field: keyof NodeJS.MemoryUsage) => ((after[field] - before[field]) / n / 1024).toFixed(0);
  // Node documents arrayBuffers as part of external, yet a SharedArrayBuffer (the isolated lane's bridge)
  // shows only in arrayBuffers: the sum adds all three, and the columns show what each holds.
  const sum = (usage: NodeJS.MemoryUsage) => usage.heapUsed + usage.external + usage.arrayBuffers;
  return [
    ((sum(after) - sum(before)) / n / 1024).toFixed(0),
    kib('heapUsed'),
    kib('external'),
    kib('arrayBuffers'),
    kib('rss'),
    loadMs.toFixed(2),
  ];
}
const inThreadRow = await perInstance(IN_THREAD_INSTANCES);
const isolatedRow = await perInstance(ISOLATED_INSTANCES, createIsolatedLane);
console.log(
  `memory per open golden/c-protocol instance (KiB; --expose-gc: ${gc ? 'yes' : 'NO, approximate'})`,
);
table([
  ['lane', 'heap+external+arrayBuffers', 'heapUsed', 'external', 'arrayBuffers', 'rss', 'load ms'],
  [`in-thread ×${IN_THREAD_INSTANCES}`, ...inThreadRow],
  [`isolated ×${ISOLATED_INSTANCES} (main thread)`, ...isolatedRow],
]);
console.log(
  '(guest and Extism kernel memories count in external at their full ' +
    'size but reach rss only when touched; an isolated instance is a worker whose V8 heap is separate and ' +
    'shows only in rss, with its thread stack and, run from source, tsx loaded inside the worker)',
);
