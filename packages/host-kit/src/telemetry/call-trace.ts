import {
  context,
  createContextKey,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { PermissionType } from '@plinth/protocol';
import type { CallReceipt, HostCallContext } from '../bundle/host-bundle.js';
import { runtimeInstruments } from './instruments.js';

const CALL_TRACE = Symbol('plinth.callTrace');
const CALL_TRACE_KEY = createContextKey('plinth.callTrace');
type TracedReceipt = CallReceipt & { [CALL_TRACE]?: CallTrace };

/**
 * The traced side of one registry call. It travels on the call's receipt under a private symbol — the
 * receipt already reaches every host function the guest calls, in both lanes (in the isolated lane they
 * are served on this thread from the worker's requests) — so host-function spans find their parent
 * without a context manager. It is also in the call's context, for calls that carry no receipt (events)
 * when the app registered a context manager.
 */
export class CallTrace {
  /** The call's span active, and this trace findable. */
  readonly context: Context;
  /** The host call being served. A guest waits on each host call, so a call has at most one at a time. */
  hostSpan: Span | undefined;
  /** The permission a check refused during the host call being served. */
  hostDenied: PermissionType | undefined;

  constructor(
    readonly tracer: Tracer,
    readonly span: Span,
    readonly pluginId: string,
    readonly pluginVersion: string,
    receipt: CallReceipt,
  ) {
    this.context = trace.setSpan(context.active(), span).setValue(CALL_TRACE_KEY, this);
    (receipt as TracedReceipt)[CALL_TRACE] = this;
  }
}

/** The trace of the call a host call belongs to; undefined unless the call's span records. */
export function callTraceOf(hostCall: HostCallContext): CallTrace | undefined {
  const receipt = hostCall.receipt as TracedReceipt | undefined;
  return receipt?.[CALL_TRACE] ?? (context.active().getValue(CALL_TRACE_KEY) as CallTrace | undefined);
}

/** How a served host call ended, as far as its span is concerned. */
export interface HostCallEnd {
  outcome: string;
}

/**
 * Serves one host call inside a span `plinth.host <function>`, a child of the call's span, active while
 * the handler runs (a cross-plugin command it makes is then a child of it). `serve` gets an error hook that
 * records a handler's exception on the span.
 */
export function traceHostCall<T extends HostCallEnd>(
  callTrace: CallTrace,
  functionName: string,
  serve: (recordError: (error: unknown) => void) => T | Promise<T>,
): T | Promise<T> {
  const parent = callTrace.context;
  const span = callTrace.tracer.startSpan(
    `plinth.host ${functionName}`,
    {
      attributes: {
        'plinth.host_function.name': functionName,
        'plinth.plugin.id': callTrace.pluginId,
        'plinth.plugin.version': callTrace.pluginVersion,
      },
    },
    parent,
  );
  callTrace.hostSpan = span;
  callTrace.hostDenied = undefined;
  const recordError = (error: unknown) =>
    span.recordException(error instanceof Error ? error : String(error));
  const served = context.with(trace.setSpan(parent, span), () => serve(recordError));
  const end = (settled: T): T => {
    const denied = callTrace.hostSpan === span ? callTrace.hostDenied : undefined;
    if (callTrace.hostSpan === span) callTrace.hostSpan = undefined;
    span.setAttribute('plinth.host_function.outcome', settled.outcome);
    span.setAttribute('plinth.permission.denied', denied !== undefined);
    if (denied !== undefined || settled.outcome !== 'ok') {
      const type = denied === undefined ? settled.outcome : 'permission_denied';
      span.setAttribute('error.type', type);
      span.setStatus({ code: SpanStatusCode.ERROR, message: type });
    }
    span.end();
    return settled;
  };
  return served instanceof Promise ? served.then(end) : end(served);
}

/** Where a permission check was refused. */
export interface DeniedCheck {
  type: PermissionType;
  target: string;
  /** The host function that asked, when the checker knows it. */
  functionName?: string | undefined;
}

/** Counts a refused check, and marks the host call it belongs to when that call is traced. */
export function recordDenial(hostCall: HostCallContext, check: DeniedCheck): void {
  const instruments = runtimeInstruments();
  if (instruments !== undefined) {
    instruments.denials.add(
      1,
      check.functionName === undefined
        ? { 'plinth.plugin.id': hostCall.pluginId, 'plinth.permission.type': check.type }
        : {
            'plinth.plugin.id': hostCall.pluginId,
            'plinth.permission.type': check.type,
            'plinth.host_function.name': check.functionName,
          },
    );
  }
  const callTrace = callTraceOf(hostCall);
  const span = callTrace?.hostSpan;
  if (callTrace === undefined || span === undefined) return;
  callTrace.hostDenied = check.type;
  span.setAttribute('plinth.permission.type', check.type);
  span.addEvent('plinth.permission.denied', {
    'plinth.permission.type': check.type,
    'plinth.permission.target': check.target,
  });
}

/**
 * A line the guest logged, as an event `plinth.log` on its call's span: the call's own span when the host
 * call carries it, else the active span (Extism's `log_*` lines, which reach the host without it).
 */
export function recordGuestLog(where: HostCallContext | undefined, level: string, message: string): void {
  const span = where === undefined ? trace.getActiveSpan() : callTraceOf(where)?.span;
  if (span === undefined || !span.isRecording()) return;
  span.addEvent('plinth.log', { 'plinth.log.level': level, 'plinth.log.message': message });
}
