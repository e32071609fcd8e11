import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  context,
  createNoopMeter,
  isSpanContextValid,
  metrics,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Histogram,
  type MeterProvider,
  type TextMapGetter,
} from '@opentelemetry/api';

/** The instrumentation scope: the tracer and the meter are named for the package. */
const SCOPE = '@plinth/mcp';

/** How a session reaches the server, for `network.transport` (and `network.protocol.name`). */
export type McpTransportKind = 'stdio' | 'http';

/** One `tools/call` request as the SDK handed it over. */
export interface ToolCallRequest {
  tool: string;
  /** `params._meta`: W3C trace context (`traceparent`, `tracestate`) when the client propagates it. */
  meta: Readonly<Record<string, unknown>> | undefined;
  requestId: string | number | undefined;
  sessionId: string | undefined;
  transport: McpTransportKind | undefined;
}

const metaGetter: TextMapGetter<Readonly<Record<string, unknown>>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    return typeof value === 'string' ? value : undefined;
  },
};

// The buckets the MCP conventions advise for operation durations.
const DURATION_BUCKETS_S = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

let durationOf: MeterProvider | undefined;
let duration: Histogram | undefined;

/** The duration histogram of the global meter provider; undefined while none is registered. */
function operationDuration(): Histogram | undefined {
  const provider = metrics.getMeterProvider();
  if (provider !== durationOf) {
    durationOf = provider;
    const meter = provider.getMeter(SCOPE);
    duration =
      meter === createNoopMeter()
        ? undefined
        : meter.createHistogram('mcp.server.operation.duration', {
            description: 'How long the server took to answer an MCP request.',
            unit: 's',
            advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
          });
  }
  return duration;
}

/**
 * Runs one `tools/call` inside a SERVER span `tools/call <tool>`, as the OpenTelemetry conventions for MCP
 * describe it: its parent is the trace context the client put in `params._meta` (through the app's
 * propagator; the API's default one reads nothing), linked to the ambient context when both exist, and it
 * is active while the command runs, so the plugin call is its child. A result with `isError` is a failure
 * (`error.type` = `tool_error`); a JSON-RPC error (an unknown tool) is one by its code.
 */
export async function traceToolCall(
  request: ToolCallRequest,
  call: () => Promise<CallToolResult>,
): Promise<CallToolResult> {
  const ambient = context.active();
  const parent =
    request.meta === undefined ? ambient : propagation.extract(ambient, request.meta, metaGetter);
  const ambientSpan = trace.getSpanContext(ambient);
  const links =
    parent !== ambient && ambientSpan !== undefined && isSpanContextValid(ambientSpan)
      ? [{ context: ambientSpan }]
      : [];
  const attributes: Attributes = {
    'mcp.method.name': 'tools/call',
    'gen_ai.tool.name': request.tool,
    'gen_ai.operation.name': 'execute_tool',
  };
  if (request.transport !== undefined) {
    attributes['network.transport'] = request.transport === 'stdio' ? 'pipe' : 'tcp';
    if (request.transport === 'http') attributes['network.protocol.name'] = 'http';
  }
  const spanAttributes: Attributes = { ...attributes };
  if (request.requestId !== undefined) spanAttributes['jsonrpc.request.id'] = String(request.requestId);
  if (request.sessionId !== undefined) spanAttributes['mcp.session.id'] = request.sessionId;
  const span = trace
    .getTracer(SCOPE)
    .startSpan(
      `tools/call ${request.tool}`,
      { kind: SpanKind.SERVER, attributes: spanAttributes, links },
      parent,
    );
  const started = performance.now();
  let errorType: string | undefined;
  try {
    const result = await context.with(trace.setSpan(parent, span), call);
    if (result.isError === true) {
      errorType = 'tool_error';
      span.setAttribute('error.type', errorType);
      span.setStatus({ code: SpanStatusCode.ERROR, message: firstText(result) ?? 'tool_error' });
    }
    return result;
  } catch (error) {
    errorType = error instanceof McpError ? String(error.code) : '_OTHER';
    span.setAttribute('error.type', errorType);
    if (error instanceof McpError) span.setAttribute('rpc.response.status_code', String(error.code));
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    throw error;
  } finally {
    span.end();
    if (errorType !== undefined) attributes['error.type'] = errorType;
    operationDuration()?.record((performance.now() - started) / 1000, attributes);
  }
}

function firstText(result: CallToolResult): string | undefined {
  const first = result.content[0];
  return first?.type === 'text' ? first.text : undefined;
}
