import {
  createNoopMeter,
  metrics,
  ProxyTracerProvider,
  trace,
  type Counter,
  type Histogram,
  type MeterProvider,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';

/** The instrumentation scope: the tracer and the meter are named for the package. */
export const TELEMETRY_SCOPE = '@plinth/runtime';

/** The runtime's metric instruments (names and units in the README). */
export interface RuntimeInstruments {
  calls: Counter;
  errors: Counter;
  duration: Histogram;
  fuel: Histogram;
  denials: Counter;
}

// Plugin calls take from microseconds (in-thread) to the timeout: the SDK's default buckets start at 5.
const DURATION_BUCKETS_S = [
  0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
  5, 10, 30,
];
const FUEL_BUCKETS = [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

let tracerOf: TracerProvider | undefined;
let tracer: Tracer | undefined;
let instrumentsOf: MeterProvider | undefined;
let instruments: RuntimeInstruments | undefined;

/**
 * The tracer of the registered tracer provider, or undefined while none is: then no span is started at all
 * (not even the API's no-op one). Checked on every use — one global read — so a provider registered late,
 * or disabled and registered again, is followed.
 */
export function runtimeTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider();
  if (provider !== tracerOf) {
    tracerOf = provider;
    tracer = undefined;
  }
  // The API's proxy answers a tracer of its delegate only once a provider is registered with it.
  tracer ??=
    provider instanceof ProxyTracerProvider
      ? provider.getDelegateTracer(TELEMETRY_SCOPE)
      : provider.getTracer(TELEMETRY_SCOPE);
  return tracer;
}

/**
 * The instruments of the global meter provider, or undefined while none is registered. The metrics API
 * has no proxy: a meter taken before registration stays a no-op, so the provider is checked on every use.
 */
export function runtimeInstruments(): RuntimeInstruments | undefined {
  const provider = metrics.getMeterProvider();
  if (provider !== instrumentsOf) {
    instrumentsOf = provider;
    const meter = provider.getMeter(TELEMETRY_SCOPE);
    instruments =
      meter === createNoopMeter()
        ? undefined
        : {
            calls: meter.createCounter('plinth.plugin.calls', {
              description: 'Plugin calls through a registry (commands, events, raw export calls).',
              unit: '{call}',
            }),
            errors: meter.createCounter('plinth.plugin.call.errors', {
              description: 'Plugin calls that rejected, by PlinthError code (error.type).',
              unit: '{call}',
            }),
            duration: meter.createHistogram('plinth.plugin.call.duration', {
              description: 'How long plugin calls took, queueing for the instance included.',
              unit: 's',
              advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
            }),
            fuel: meter.createHistogram('plinth.plugin.call.fuel', {
              description: 'Fuel (instructions, as metered) a plugin call used; metered plugins only.',
              unit: '{fuel}',
              advice: { explicitBucketBoundaries: FUEL_BUCKETS },
            }),
            denials: meter.createCounter('plinth.permission.denials', {
              description: 'Permission checks of host functions that were refused.',
              unit: '{denial}',
            }),
          };
  }
  return instruments;
}
