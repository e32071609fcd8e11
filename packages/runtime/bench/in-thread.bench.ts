/**
 * In-thread lane and lifecycle benchmarks, each against a baseline measured in the same run:
 *  - handle_command ping, raw @extism/extism in-thread call of the same export with the same request vs
 *    the in-thread lane alone and vs the lane + protocol layer (target for the latter: overhead ≤ 1.3×),
 *    all three in alternating blocks (bench/alternating-blocks.ts);
 *  - per-call cost over 100,000 calls: the last 10,000 vs the first 10,000 (flat = ratio ≈ 1);
 *  - load/unload 1,000 times: heap growth after a forced GC (run with --expose-gc for a precise figure);
 *  - OpenTelemetry: a registry's ping and greet with nothing registered (the API's no-ops) vs a tracer and
 *    a meter provider recording everything, without and with a context manager (AsyncLocalStorage).
 */
import { context as otelContext, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createInThreadLane, openProtocolPluginFrom, PluginRegistry, resolveLimits } from '../dist/index.js';
import { compareAlternating, DEFAULT_BLOCKS, time } from './alternating-blocks.js';
import {
  BENCH_BUNDLE,
  GOLDEN_C_WASM,
  HANDLE_COMMAND_CONTEXT as context,
  openRawInThread,
  PING as input,
} from './raw-baseline.js';

const module = new WebAssembly.Module(GOLDEN_C_WASM);
const gc = (globalThis as { gc?: () => void }).gc;

const raw = await openRawInThread(module);
const overheadLane = await createInThreadLane({ module, bundle: BENCH_BUNDLE, limits: resolveLimits() });
const plugin = await openProtocolPluginFrom({
  source: { bytes: GOLDEN_C_WASM },
  hostAppVersion: '1.0.0',
  bundle: BENCH_BUNDLE,
});
// The lane gets the raw call's string; the protocol layer sends the same request as bytes it encoded.
const results = await compareAlternating({
  sides: [
    { name: 'raw @extism/extism in-thread', call: () => raw.call(input) },
    { name: 'Plinth in-thread lane alone', call: () => overheadLane.call('handle_command', input, context) },
    { name: 'Plinth in-thread lane + protocol', call: () => plugin.command('ping') },
  ],
});
const counted = DEFAULT_BLOCKS.blocks - DEFAULT_BLOCKS.warmupBlocks;
for (const [index, result] of results.entries()) {
  const ratio =
    index === 0
      ? 'baseline'
      : `${result.medianRatio.toFixed(2)}× (all blocks together ${result.pooledRatio.toFixed(2)}×)`;
  console.log(`handle_command ping, ${result.name}: ${result.meanUs.toFixed(2)} µs/call, ${ratio}`);
}
console.log(
  `(median of ${counted} rotating block triples of ${DEFAULT_BLOCKS.callsPerBlock} calls; ` +
    'target for lane + protocol ≤ 1.3×)',
);
await overheadLane.close();

// Spans go through the SDK's batching processor to an exporter that drops them; metrics aggregate in a
// reader that is never collected. What an app with an exporter pays, minus the export itself.
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [
    new BatchSpanProcessor({ export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} }),
  ],
});
const meterProvider = new MeterProvider({
  readers: [
    new (class extends MetricReader {
      protected async onShutdown() {}
      protected async onForceFlush() {}
    })(),
  ],
});
const contextManager = new AsyncLocalStorageContextManager().enable();
/** What is registered: nothing, the two providers, or the providers and a context manager. */
type Telemetry = 'none' | 'providers' | 'providers + context';
let registered: Telemetry = 'none';
const register = (next: Telemetry) => () => {
  if (next === registered) return;
  registered = next;
  trace.disable();
  metrics.disable();
  otelContext.disable();
  if (next === 'none') return;
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  if (next === 'providers + context') otelContext.setGlobalContextManager(contextManager);
};
const registry = new PluginRegistry();
await registry.load('plinth-golden.c', () =>
  openProtocolPluginFrom({ source: { bytes: GOLDEN_C_WASM }, hostAppVersion: '1.0.0', bundle: BENCH_BUNDLE }),
);
for (const command of ['ping', 'greet'] as const) {
  const params = command === 'greet' ? { name: 'Zoë' } : null;
  const call = () => registry.command('plinth-golden.c', command, params);
  const sides = (['none', 'providers', 'providers + context'] as const).map((name) => ({
    name,
    before: register(name),
    call,
  }));
  const [none, ...registeredSides] = await compareAlternating({ sides });
  for (const side of registeredSides) {
    console.log(
      `registry ${command}${command === 'greet' ? ' (one host call)' : ''}, OpenTelemetry ${side.name} ` +
        `vs nothing registered: ${side.meanUs.toFixed(2)} vs ${none!.meanUs.toFixed(2)} µs/call, ` +
        `${side.medianRatio.toFixed(2)}× (all blocks together ${side.pooledRatio.toFixed(2)}×)`,
    );
  }
}
register('none')();
await registry.close();
await tracerProvider.shutdown();
await meterProvider.shutdown();

const lane = await createInThreadLane({ module, bundle: BENCH_BUNDLE, limits: resolveLimits() });
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
