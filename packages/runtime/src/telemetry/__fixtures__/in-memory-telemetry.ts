import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

/** The SDK's in-memory exporters behind global providers, as an app would register them. */
export interface InMemoryTelemetry {
  /** Finished spans, oldest first. */
  spans(): ReadableSpan[];
  /** The finished spans named `name`. */
  spansNamed(name: string): ReadableSpan[];
  /** The metrics collected now (cumulative since registration), by instrument name. */
  collect(): Promise<Map<string, MetricData>>;
  /** Unregisters everything (the API answers no-ops again) and shuts the providers down. */
  shutdown(): Promise<void>;
}

/** `contextManager: false` leaves the API's own (which carries nothing across calls). */
export function registerInMemoryTelemetry(options: { contextManager?: boolean } = {}): InMemoryTelemetry {
  const contextManager = new AsyncLocalStorageContextManager();
  if (options.contextManager !== false) context.setGlobalContextManager(contextManager.enable());
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  trace.setGlobalTracerProvider(tracerProvider);
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Exported only when the test flushes it.
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    spans: () => spanExporter.getFinishedSpans(),
    spansNamed: (name) => spanExporter.getFinishedSpans().filter((span) => span.name === name),
    async collect() {
      await reader.forceFlush();
      const latest = metricExporter.getMetrics().at(-1);
      metricExporter.reset();
      const found = new Map<string, MetricData>();
      for (const scope of latest?.scopeMetrics ?? [])
        for (const metric of scope.metrics) found.set(metric.descriptor.name, metric);
      return found;
    },
    async shutdown() {
      trace.disable();
      metrics.disable();
      context.disable();
      contextManager.disable();
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** The data points of a metric as `{ attributes, value }`, for one readable assertion. */
export function points(metric: MetricData | undefined): { attributes: object; value: unknown }[] {
  return ((metric?.dataPoints ?? []) as DataPoint<unknown>[]).map((point) => ({
    attributes: point.attributes,
    value: point.value,
  }));
}
