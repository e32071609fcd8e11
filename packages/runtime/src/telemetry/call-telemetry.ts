import { context, SpanStatusCode, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { CommandResponse, PlinthError } from '@plinth/protocol';
import type { CallReceipt } from '@plinth/host-kit';
import {
  CallTrace,
  runtimeInstruments,
  runtimeTracer,
  type RuntimeInstruments,
} from '@plinth/host-kit/engine';

/** What a registry call is, as its span and metrics name it. */
export interface TelemetryCall {
  pluginId: string;
  pluginVersion: string;
  kind: 'command' | 'event' | 'call';
  /** The command, the event type, or the export. */
  name: string;
}

/**
 * What one registry call reports to OpenTelemetry: a span `plinth.call <name>` (when a tracer records)
 * and the call metrics (when a meter provider is registered). `start` answers undefined when neither
 * listens, so without a provider a call pays two global reads and nothing else.
 */
export class CallTelemetry {
  /** Handed to the call: the lane fills in lane and fuel, host functions find the span through it. */
  readonly receipt: CallReceipt = {};
  readonly #call: TelemetryCall;
  readonly #span: Span | undefined;
  readonly #trace: CallTrace | undefined;
  readonly #instruments: RuntimeInstruments | undefined;

  private constructor(
    call: TelemetryCall,
    traced: { tracer: Tracer; span: Span } | undefined,
    instruments: RuntimeInstruments | undefined,
  ) {
    this.#call = call;
    this.#span = traced?.span;
    this.#instruments = instruments;
    this.#trace =
      traced && new CallTrace(traced.tracer, traced.span, call.pluginId, call.pluginVersion, this.receipt);
  }

  static start(call: TelemetryCall): CallTelemetry | undefined {
    // The parent is the active context: an MCP tools/call span, an app's request span, or the host-function
    // span of a plugin calling another one (host_plugin_command).
    const tracer = runtimeTracer();
    const span = tracer?.startSpan(`plinth.call ${call.name}`);
    const recording = tracer !== undefined && span !== undefined && span.isRecording();
    const instruments = runtimeInstruments();
    if (!recording && instruments === undefined) return undefined;
    const telemetry = new CallTelemetry(call, recording ? { tracer, span } : undefined, instruments);
    if (recording) {
      span.setAttributes({
        'plinth.plugin.id': call.pluginId,
        'plinth.plugin.version': call.pluginVersion,
        'plinth.call.kind': call.kind,
        'plinth.call.name': call.name,
      });
    }
    return telemetry;
  }

  /** Runs the call with its span active, so spans the host starts meanwhile are its children. */
  run<T>(call: () => Promise<T>): Promise<T> {
    const callTrace = this.#trace;
    return callTrace === undefined ? call() : context.with(callTrace.context, call);
  }

  succeeded(result: unknown, durationMs: number): void {
    const span = this.#span;
    if (span !== undefined) {
      this.#endAttributes(span, 'ok');
      // A command that answered success: false ran fine (its CallRecord says ok); the span says what it answered.
      if (this.#call.kind === 'command' && isFailedResponse(result)) {
        span.setAttribute('plinth.command.success', false);
        if (result.error_code !== undefined)
          span.setAttribute('plinth.command.error_code', result.error_code);
      }
      span.end();
    }
    this.#record(durationMs, undefined);
  }

  failed(error: PlinthError, durationMs: number): void {
    const span = this.#span;
    if (span !== undefined) {
      this.#endAttributes(span, 'error');
      span.setAttribute('error.type', error.code);
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      span.end();
    }
    this.#record(durationMs, error.code);
  }

  #endAttributes(span: Span, outcome: 'ok' | 'error'): void {
    span.setAttribute('plinth.call.outcome', outcome);
    const { lane, fuelUsed } = this.receipt;
    if (lane !== undefined) span.setAttribute('plinth.lane', lane);
    if (fuelUsed !== undefined) span.setAttribute('plinth.fuel.used', fuelUsed);
  }

  #record(durationMs: number, code: string | undefined): void {
    const instruments = this.#instruments;
    if (instruments === undefined) return;
    const call = this.#call;
    const { lane, fuelUsed } = this.receipt;
    const attributes: Attributes = {
      'plinth.plugin.id': call.pluginId,
      'plinth.plugin.version': call.pluginVersion,
      'plinth.call.kind': call.kind,
      'plinth.call.name': call.name,
    };
    if (lane !== undefined) attributes['plinth.lane'] = lane;
    if (code !== undefined) attributes['error.type'] = code;
    instruments.calls.add(1, attributes);
    if (code !== undefined) instruments.errors.add(1, attributes);
    instruments.duration.record(durationMs / 1000, attributes);
    if (fuelUsed !== undefined) instruments.fuel.record(fuelUsed, attributes);
  }
}

function isFailedResponse(result: unknown): result is CommandResponse & { success: false } {
  return typeof result === 'object' && result !== null && (result as { success?: unknown }).success === false;
}
