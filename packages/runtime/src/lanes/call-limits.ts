import { PlinthError, type PlinthErrorContext } from '@plinth/protocol';
import { describeCall } from '../call-errors.js';
import type { HostCallContext } from '../host/host-bundle.js';
import type { HostCallState } from '../host/serve-host-call.js';
import type { PluginLimits } from '../limits.js';

/** The error context of one call: plugin, version and export. */
export function callErrorContext(exportName: string, context: HostCallContext): PlinthErrorContext {
  return { pluginId: context.pluginId, pluginVersion: context.pluginVersion, exportName };
}

/**
 * Starts a call on a lane: refuses a closed lane, resets the per-call host-call count, and returns the
 * context every error of the call names.
 */
export function beginCall(options: {
  exportName: string;
  context: HostCallContext;
  closed: boolean;
  state: HostCallState;
}): PlinthErrorContext {
  const { exportName, context, state } = options;
  const errorContext = callErrorContext(exportName, context);
  if (options.closed) throw closedError(errorContext);
  state.begin({ ...context, exportName });
  return errorContext;
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
 * failure answers past the limit, but the call as a whole still fails) and output size.
 */
export function checkCallLimits(options: {
  state: Pick<HostCallState, 'hostCalls' | 'limitExceeded'>;
  outputBytes: number | undefined;
  limits: Pick<PluginLimits, 'hostCallsPerCall' | 'outputMaxBytes'>;
  errorContext: PlinthErrorContext;
}): void {
  const { state, limits, errorContext } = options;
  if (state.limitExceeded) {
    throw new PlinthError(
      'host_calls_exceeded',
      `${describeCall(errorContext)} made ${state.hostCalls} host calls; the limit is ${limits.hostCallsPerCall} per call`,
      { ...errorContext, limit: 'hostCallsPerCall' },
    );
  }
  if (options.outputBytes !== undefined && options.outputBytes > limits.outputMaxBytes) {
    throw outputTooLargeError(options.outputBytes, limits, errorContext);
  }
}

/**
 * Runs calls one after another (an instance is not reentrant). A failed call does not stop the queue.
 */
export function createCallQueue(): {
  enqueue<T>(run: () => Promise<T>): Promise<T>;
  /** Settles once every call queued so far has finished. */
  drained(): Promise<void>;
} {
  // An idle queue runs the call at once: chaining onto a settled promise would cost a microtask hop on
  // every call of the hot path.
  let tail: Promise<unknown> = Promise.resolve();
  let pending = 0;
  const settle = () => {
    pending -= 1;
  };
  return {
    enqueue(run) {
      pending += 1;
      const result = pending === 1 ? run() : tail.then(run);
      tail = result.then(settle, settle);
      return result;
    },
    drained: () => (pending === 0 ? Promise.resolve() : tail.then(() => undefined)),
  };
}
