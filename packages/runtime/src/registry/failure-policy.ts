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

/**
 * The policy a registry uses for each field `failurePolicy` leaves out: quarantine after 5 failures in a row.
 */
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

/**
 * Whether a failure with this code counts against the plugin (towards its failure policy). Limit hits,
 * traps, guest errors and exits and bad output do; caller mistakes (`not_handled`, `closed`,
 * `queue_timeout`) do not.
 */
export const isPluginFault = (code: PlinthErrorCode): boolean => PLUGIN_FAULTS.has(code);
