import { PlinthError, type PlinthErrorContext } from '@plinth/protocol';
import { describeCall, toCallError } from '../call-errors.js';
import { deserializeRejection, type SerializedRejection } from './host-bridge.js';
import { VAR_LIMIT_MESSAGE } from './kernel-guards.js';
import type { WorkerDeath } from './worker-lane.js';

// A failed Extism block allocation ("memory limit exceeded: …") or an engine/V8 allocation failure.
const HOST_MEMORY = /memory limit exceeded/i;
const OUT_OF_MEMORY = /out of memory|could not allocate|allocation failed|Cannot allocate/i;

export function timeoutError(timeoutMs: number, context: PlinthErrorContext): PlinthError {
  return new PlinthError(
    'timeout',
    `${describeCall(context)} timed out after ${timeoutMs} ms; its worker was terminated and a fresh instance (with fresh memory) will serve the next call`,
    { ...context, limit: 'timeoutMs' },
  );
}

/** A call the guest rejected, as the worker reported it. */
export function rejectionError(
  rejection: SerializedRejection,
  context: PlinthErrorContext,
  limits: { memoryMaxPages: number; hostMemoryMaxPages: number; maxVarBytes: number },
): PlinthError {
  const cause = deserializeRejection(rejection);
  const where = describeCall(context);
  // Thrown by the worker's var_set guard; a guest's own error_set text starts "Plugin-originated error".
  if (rejection.message.startsWith(VAR_LIMIT_MESSAGE)) {
    return new PlinthError(
      'out_of_memory',
      `${where} ran out of var memory (maxVarBytes ${limits.maxVarBytes} bytes): ${rejection.message}`,
      { ...context, limit: 'maxVarBytes', cause },
    );
  }
  if (HOST_MEMORY.test(rejection.message)) {
    return new PlinthError(
      'out_of_memory',
      `${where} ran out of host block memory (${limits.hostMemoryMaxPages} pages): ${rejection.message}`,
      { ...context, limit: 'hostMemoryMaxPages', cause },
    );
  }
  if (rejection.kind !== 'error' && OUT_OF_MEMORY.test(rejection.message)) {
    return new PlinthError(
      'out_of_memory',
      `${where} ran out of memory (guest limit ${limits.memoryMaxPages} pages): ${rejection.message}`,
      { ...context, limit: 'memoryMaxPages', cause },
    );
  }
  return toCallError(cause, context);
}

/** The worker died on its own while a call was running. */
export function deathError(death: WorkerDeath, context: PlinthErrorContext): PlinthError {
  const message = `${describeCall(context)} failed: ${death.message}; a fresh instance (with fresh memory) will serve the next call`;
  return death.reason === 'out_of_memory'
    ? new PlinthError('out_of_memory', message, { ...context, limit: 'resourceLimits', cause: death.cause })
    : new PlinthError('trap', message, { ...context, cause: death.cause });
}

/** The worker could not start the instance. */
export function startError(message: string, context: PlinthErrorContext, cause?: unknown): PlinthError {
  return new PlinthError(
    'load_failed',
    `${describeCall(context)} could not start in its worker: ${message}`,
    {
      ...context,
      cause,
    },
  );
}
