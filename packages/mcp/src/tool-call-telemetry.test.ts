import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { context, metrics, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemorySource, manifest, newClient, textOf } from './__fixtures__/memory-source.js';
import { PluginToolServer } from './plugin-tool-server.js';
import { serveHttp } from './serve-http.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN_ID = '00f067aa0ba902b7';
const META = { traceparent: `00-${TRACE_ID}-${CLIENT_SPAN_ID}-01`, tracestate: 'rojo=00f067aa0ba902b7' };

function notesTools() {
  const source = new MemorySource();
  source.views = [{ id: 'acme.notes', state: 'active', manifest: manifest() }];
  // The span active while the command runs: the plugin call's parent.
  const active: (string | undefined)[] = [];
  source.handlers.set('acme.notes ping', () => {
    active.push(trace.getActiveSpan()?.spanContext().spanId);
    return { success: true, data: 'pong' };
  });
  source.handlers.set('acme.notes word_count', () => ({
    success: false,
    error: 'Permission denied',
    error_code: 'permission_denied',
  }));
  return { tools: new PluginToolServer({ source }), active };
}

async function connect(tools: PluginToolServer) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await tools.createServer().connect(serverSide);
  const client = newClient();
  await client.connect(clientSide);
  return client;
}

const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({
  exporter: metricExporter,
  exportIntervalMillis: 3_600_000,
});
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const meterProvider = new MeterProvider({ readers: [reader] });

describe('tools/call telemetry', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    // The API's own propagator reads nothing: an app that wants _meta's trace context registers one.
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
  });
  afterAll(async () => {
    trace.disable();
    metrics.disable();
    propagation.disable();
    context.disable();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
  });
  beforeEach(() => spans.reset());

  it('continues the trace from params._meta in a SERVER span the command runs under', async () => {
    const { tools, active } = notesTools();
    const client = await connect(tools);
    expect(textOf(await client.callTool({ name: 'acme_notes__ping', _meta: META }))).toBe('pong');
    await client.close();
    const [span] = spans.getFinishedSpans();
    expect(span?.name).toBe('tools/call acme_notes__ping');
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.spanContext().traceId).toBe(TRACE_ID);
    expect(span?.parentSpanContext).toMatchObject({ spanId: CLIENT_SPAN_ID, isRemote: true });
    expect(span?.spanContext().traceState?.serialize()).toBe(META.tracestate);
    expect(span?.attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'acme_notes__ping',
      'gen_ai.operation.name': 'execute_tool',
      'jsonrpc.request.id': expect.stringMatching(/^\d+$/),
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(active).toEqual([span?.spanContext().spanId]);
  });

  it('counts a tool result with isError as an error, and an unknown tool by its JSON-RPC code', async () => {
    const { tools } = notesTools();
    const client = await connect(tools);
    const failed = await client.callTool({ name: 'acme_notes__word_count', arguments: { path: 'a.md' } });
    expect(failed.isError).toBe(true);
    await expect(client.callTool({ name: 'acme_notes__nope' })).rejects.toThrow(/unknown tool/);
    await client.close();
    const [toolError, unknown] = spans.getFinishedSpans();
    expect(toolError?.attributes['error.type']).toBe('tool_error');
    expect(toolError?.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'acme.notes word_count failed [permission_denied]: Permission denied',
    });
    expect(unknown?.name).toBe('tools/call acme_notes__nope');
    expect(unknown?.attributes).toMatchObject({
      'error.type': '-32602',
      'rpc.response.status_code': '-32602',
    });
    expect(unknown?.status.code).toBe(SpanStatusCode.ERROR);
    expect(unknown?.events.map((event) => event.name)).toEqual(['exception']);
    // Without _meta the span starts a trace of its own.
    expect(toolError?.parentSpanContext).toBeUndefined();

    await reader.forceFlush();
    const durations = metricExporter
      .getMetrics()
      .at(-1)
      ?.scopeMetrics.flatMap((scope) => scope.metrics)
      .find((metric) => metric.descriptor.name === 'mcp.server.operation.duration');
    expect(durations?.descriptor.unit).toBe('s');
    const byError = (durations?.dataPoints as DataPoint<{ count: number }>[]).map((point) => [
      point.attributes['gen_ai.tool.name'],
      point.attributes['error.type'],
      point.value.count,
    ]);
    expect(byError).toEqual(
      expect.arrayContaining([
        ['acme_notes__word_count', 'tool_error', 1],
        ['acme_notes__nope', '-32602', 1],
      ]),
    );
  });

  it('names the session and the transport over Streamable HTTP', async () => {
    const { tools } = notesTools();
    const server = await serveHttp(tools);
    const client = newClient();
    const transport = new StreamableHTTPClientTransport(new URL(server.url));
    await client.connect(transport);
    try {
      await client.callTool({ name: 'acme_notes__ping' });
      expect(spans.getFinishedSpans()[0]?.attributes).toMatchObject({
        'mcp.session.id': transport.sessionId,
        'network.transport': 'tcp',
        'network.protocol.name': 'http',
      });
    } finally {
      await client.close();
      await server.close();
      await tools.close();
    }
  });
});
