import { PlinthError, type PlinthErrorCode, type PlinthErrorContext } from '@plinth/protocol';
import { describeCall } from '../call-errors.js';
import { LIMIT_CODES } from '../limit-codes.js';

/**
 * Call failures after which an instance is closed and replaced rather than reused: the guest was stopped
 * mid-call (a trap, a timeout, a limit), so its memory and globals may be half-updated.
 */
export const RECYCLE_CODES: readonly PlinthErrorCode[] = [
  ...LIMIT_CODES,
  'trap',
  // proc_exit unwound the guest mid-call, as a trap does.
  'guest_exit',
  // An instance that reports itself closed while the pool is open has died on its own.
  'closed',
];

/** The default recycle rule: a RECYCLE_CODES failure, or anything that is not a PlinthError at all. */
export function isRecycleError(error: unknown): boolean {
  // Instances reject only with PlinthErrors; anything else is unexplained, so the instance is not trusted.
  return !PlinthError.isInstance(error) || RECYCLE_CODES.includes(error.code);
}

export function queueTimeoutError(context: PlinthErrorContext, waitedMs: number, max: number): PlinthError {
  return new PlinthError(
    'queue_timeout',
    `${describeCall(context)} waited ${waitedMs} ms for a free instance; all ${max} are busy`,
    { ...context, limit: 'acquireTimeoutMs' },
  );
}

export function closedError(context: PlinthErrorContext): PlinthError {
  return new PlinthError(
    'closed',
    `${describeCall(context)} cannot run: the instance pool is closed`,
    context,
  );
}

export function createError(error: unknown, context: PlinthErrorContext): PlinthError {
  if (PlinthError.isInstance(error)) return error;
  const why = error instanceof Error ? error.message : String(error);
  return new PlinthError('load_failed', `${describeCall(context)} could not start an instance: ${why}`, {
    ...context,
    cause: error,
  });
}
