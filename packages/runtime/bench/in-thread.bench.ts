/**
 * In-thread lane and lifecycle benchmarks, each against a baseline measured in the same run:
 *  - handle_command through the runtime (lane + protocol layer) vs a raw @extism/extism call of the same
 *    export on the same guest, with the same request (target: overhead ≤ 1.3×);
 *  - per-call cost over 100,000 calls: the last 10,000 vs the first 10,000 (flat = ratio ≈ 1);
 *  - load/unload 1,000 times: heap growth after a forced GC (run with --expose-gc for a precise figure).
 */
import { readFileSync } from 'node:fs';
import createPlugin from '@extism/extism';
import { HOST_FUNCTION_NAMESPACE, HOST_FUNCTIONS } from '@plinth/protocol';
import { createInThreadLane, openProtocolPluginFrom, resolveLimits } from '../src/index.js';

const wasm = new Uint8Array(
  readFileSync(new URL('../../testkit/guests/golden/c-protocol/plugin.wasm', import.meta.url)),
);
const module = new WebAssembly.Module(wasm);
const input = JSON.stringify({ command: 'ping', params: null });
const gc = (globalThis as { gc?: () => void }).gc;

async function time(n: number, run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) await run();
  return ((performance.now() - start) * 1000) / n;
}

const stubs = Object.fromEntries(HOST_FUNCTIONS.map((spec) => [spec.name, () => 0n]));
const raw = await createPlugin(module, { useWasi: false, functions: { [HOST_FUNCTION_NAMESPACE]: stubs } });
const plugin = await openProtocolPluginFrom({ source: { bytes: wasm }, hostAppVersion: '1.0.0' });

// The two sides run in short alternating blocks (and alternate which goes first), so machine load, GC and
// frequency changes fall on both alike; the first blocks warm up and are not counted. The ratio is the
// median of the per-block ratios (a load spike skews a block, not the result); the ratio over all counted
// blocks is printed beside it.
const blocks = 400;
const warmupBlocks = 40;
const callsPerBlock = 100;
const rawCall = () => raw.call('handle_command', input);
const ourCall = () => plugin.command('ping');
let rawTotal = 0;
let ourTotal = 0;
const blockRatios: number[] = [];
for (let block = 0; block < blocks; block++) {
  let rawUs: number;
  let ourUs: number;
  if (block % 2 === 0) {
    rawUs = await time(callsPerBlock, rawCall);
    ourUs = await time(callsPerBlock, ourCall);
  } else {
    ourUs = await time(callsPerBlock, ourCall);
    rawUs = await time(callsPerBlock, rawCall);
  }
  if (block < warmupBlocks) continue;
  rawTotal += rawUs;
  ourTotal += ourUs;
  blockRatios.push(ourUs / rawUs);
}
const counted = blocks - warmupBlocks;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
console.log(`handle_command ping, raw @extism/extism in-thread: ${(rawTotal / counted).toFixed(2)} µs/call`);
console.log(
  `handle_command ping, Plinth in-thread (lane + protocol): ${(ourTotal / counted).toFixed(2)} µs/call`,
);
console.log(
  `overhead ratio: ${median(blockRatios).toFixed(2)}× (median of ${counted} block pairs; ` +
    `all blocks together ${(ourTotal / rawTotal).toFixed(2)}×; target ≤ 1.3×)`,
);

const lane = await createInThreadLane({ module, bundle: {}, limits: resolveLimits() });
const context = { pluginId: 'plinth-golden.c', exportName: 'handle_command' };
const first = await time(10_000, () => lane.call('handle_command', input, context));
await time(80_000, () => lane.call('handle_command', input, context));
const last = await time(10_000, () => lane.call('handle_command', input, context));
console.log(
  `100,000 calls: first 10k ${first.toFixed(2)} µs/call, last 10k ${last.toFixed(2)} µs/call, ratio ${(last / first).toFixed(2)}×`,
);
await lane.close();

const heap = () => {
  gc?.();
  return process.memoryUsage().heapUsed;
};
for (let i = 0; i < 50; i++)
  await (await createInThreadLane({ module, bundle: {}, limits: resolveLimits() })).close();
const before = heap();
for (let i = 0; i < 1_000; i++) {
  const instance = await createInThreadLane({ module, bundle: {}, limits: resolveLimits() });
  await instance.call('handle_command', input, context);
  await instance.close();
}
const after = heap();
console.log(
  `load/call/unload ×1000: heap ${((after - before) / 1024).toFixed(0)} KiB growth` +
    `${gc ? '' : ' (approximate: run with --expose-gc)'}`,
);
await plugin.shutdown();
await raw.close();
