import type { PlinthErrorCode } from '@plinth/protocol';
import { LIMIT_CODES } from '../limit-codes.js';

/** What to do with a plugin whose calls keep failing. */
export interface FailurePolicy {
  /** Consecutive failed calls before `action` applies. */
  maxConsecutiveFailures: number;
  /** `quarantine`: refuse calls until reloaded; `keep`: go on serving; `reload`: reload after a backoff. */
  action: 'quarantine' | 'keep' | 'reload';
  /** First reload delay for `reload`; doubles after each failed reload, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_FAILURE_POLICY: Readonly<FailurePolicy> = Object.freeze({
  maxConsecutiveFailures: 5,
  action: 'quarantine',
  backoffMs: 1_000,
  maxBackoffMs: 30_000,
});

/**
 * Failures that say something about the plugin (it trapped, timed out, answered garbage). A caller's
 * mistake — an undeclared command, a closed plugin, a full queue — does not count against it.
 */
const PLUGIN_FAULTS: ReadonlySet<PlinthErrorCode> = new Set<PlinthErrorCode>([
  ...LIMIT_CODES,
  'trap',
  'guest_error',
  'guest_exit',
  'invalid_output',
]);

export const isPluginFault = (code: PlinthErrorCode): boolean => PLUGIN_FAULTS.has(code);
