import type { PlinthErrorCode } from '@plinth/protocol';

/**
 * The codes of a limit hit during a call. The pool recycles the instance after one, the protocol layer
 * fails a load on one, and the registry counts one against the plugin; each adds its own codes to these.
 */
export const LIMIT_CODES = [
  'timeout',
  'fuel_exhausted',
  'out_of_memory',
  'output_too_large',
  'host_calls_exceeded',
] as const satisfies readonly PlinthErrorCode[];

/** One limit-hit code. */
export type LimitCode = (typeof LIMIT_CODES)[number];
