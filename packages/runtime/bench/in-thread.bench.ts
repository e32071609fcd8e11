/**
 * In-thread lane and lifecycle benchmarks, each against a baseline measured in the same run:
 *  - handle_command through the runtime (lane + protocol layer) vs a raw @extism/extism call of the same
 *    export on the same guest (target: overhead ≤ 1.3×);
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

const rounds = 5;
const rawTimes: number[] = [];
const ourTimes: number[] = [];
for (let round = 0; round < rounds; round++) {
  rawTimes.push(await time(5_000, () => raw.call('handle_command', input)));
  ourTimes.push(await time(5_000, () => plugin.command('ping')));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const rawUs = median(rawTimes);
const ourUs = median(ourTimes);
console.log(`handle_command ping, raw @extism/extism in-thread: ${rawUs.toFixed(2)} µs/call`);
console.log(`handle_command ping, Plinth in-thread (lane + protocol): ${ourUs.toFixed(2)} µs/call`);
console.log(`overhead ratio: ${(ourUs / rawUs).toFixed(2)}× (target ≤ 1.3×)`);

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
