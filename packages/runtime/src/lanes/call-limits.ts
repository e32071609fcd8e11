import { PlinthError, type PlinthErrorContext } from '@plinth/protocol';
import { describeCall } from '../call-errors.js';
import type { HostCallContext } from '@plinth/host-kit';
import type { HostCallState } from '@plinth/host-kit/engine';
import type { PluginLimits } from '../limits.js';

/** The error context of one call: plugin, version and export. */
export function callErrorContext(exportName: string, context: HostCallContext): PlinthErrorContext {
  return { pluginId: context.pluginId, pluginVersion: context.pluginVersion, exportName };
}

/**
 * Starts a call on a lane: refuses a closed lane and resets the per-call host-call count. Allocates
 * nothing when the context already names the export (the protocol layer's contexts do); the error context
 * is built only when a call fails.
 */
export function beginCall(options: {
  exportName: string;
  context: HostCallContext;
  closed: boolean;
  state: HostCallState;
  /** The module's exports: calling another name is the caller's mistake (`not_handled`), not a trap. */
  exports: ReadonlySet<string>;
}): void {
  const { exportName, context } = options;
  if (options.closed) throw closedError(callErrorContext(exportName, context));
  if (!options.exports.has(exportName)) {
    const errorContext = callErrorContext(exportName, context);
    throw new PlinthError(
      'not_handled',
      `${describeCall(errorContext)} cannot run: the module has no export "${exportName}"`,
      errorContext,
    );
  }
  options.state.begin(context.exportName === exportName ? context : { ...context, exportName });
}

export function closedError(errorContext: PlinthErrorContext): PlinthError {
  return new PlinthError(
    'closed',
    `${describeCall(errorContext)} cannot run: the instance is closed`,
    errorContext,
  );
}

export function outputTooLargeError(
  size: number,
  limits: Pick<PluginLimits, 'outputMaxBytes'>,
  errorContext: PlinthErrorContext,
): PlinthError {
  return new PlinthError(
    'output_too_large',
    `${describeCall(errorContext)} produced ${size} bytes of output; the limit is ${limits.outputMaxBytes}`,
    { ...errorContext, limit: 'outputMaxBytes' },
  );
}

/**
 * The limits both lanes check once a call has finished: host calls per call (the guest only ever saw
 * failure answers past the limit, but the call as a whole still fails) and output size. The error
 * context is built only on failure.
 */
export function checkCallLimits(options: {
  state: Pick<HostCallState, 'hostCalls' | 'limitExceeded'>;
  outputBytes: number | undefined;
  limits: Pick<PluginLimits, 'hostCallsPerCall' | 'outputMaxBytes'>;
  exportName: string;
  context: HostCallContext;
}): void {
  const { state, limits } = options;
  if (state.limitExceeded) {
    const errorContext = callErrorContext(options.exportName, options.context);
    throw new PlinthError(
      'host_calls_exceeded',
      `${describeCall(errorContext)} made ${state.hostCalls} host calls; the limit is ${limits.hostCallsPerCall} per call`,
      { ...errorContext, limit: 'hostCallsPerCall' },
    );
  }
  if (options.outputBytes !== undefined && options.outputBytes > limits.outputMaxBytes) {
    const errorContext = callErrorContext(options.exportName, options.context);
    throw outputTooLargeError(options.outputBytes, limits, errorContext);
  }
}

/**
 * A call that failed after one of its Extism block allocations went over `hostMemoryMaxPages`: rc13 only
 * logs that and answers offset 0, so what the guest trips over next is a symptom; this is the reason.
 */
export function hostMemoryError(
  message: string,
  limits: Pick<PluginLimits, 'hostMemoryMaxPages'>,
  errorContext: PlinthErrorContext,
  cause: unknown,
): PlinthError {
  return new PlinthError(
    'out_of_memory',
    `${describeCall(errorContext)} ran out of host block memory (hostMemoryMaxPages ${limits.hostMemoryMaxPages} pages): ${message}`,
    { ...errorContext, limit: 'hostMemoryMaxPages', cause },
  );
}
