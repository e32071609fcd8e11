/**
 * The closed set of error codes a Plinth host can raise. Each package adds the codes it raises here, so a
 * caller can switch over every failure exhaustively without importing the package that raised it.
 */
/** Raised by @plinth/protocol: a payload that does not satisfy the wire contract. */
export const PROTOCOL_ERROR_CODES = [
  'invalid_json',
  'invalid_payload',
  'unsupported_protocol_version',
  'invalid_plugin_id',
  'invalid_version',
  'invalid_min_app_version',
  // JSON params (command params, host-function requests) nested deeper than MAX_JSON_DEPTH
  'invalid_params',
] as const;

/** Raised by any package's public entry point: options that do not fit its schema (a programming error). */
export const API_ERROR_CODES = ['invalid_options'] as const;

/** Raised by @plinth/permissions: a policy document that cannot be used. */
export const PERMISSIONS_ERROR_CODES = ['invalid_policy'] as const;

/** Raised by @plinth/runtime: loading, calling and limiting plugins. */
export const RUNTIME_ERROR_CODES = [
  // loading
  'load_failed',
  'invalid_module',
  'module_too_large',
  'import_not_allowed',
  'memory_refused',
  'incompatible_protocol',
  'incompatible_host_version',
  'manifest_invalid',
  'id_mismatch',
  // calling and limits
  'timeout',
  // a metered guest used its whole instruction budget (fuelPerCall, or fuelPerLoad while loading)
  'fuel_exhausted',
  'out_of_memory',
  'output_too_large',
  'host_calls_exceeded',
  'trap',
  'guest_error',
  // the guest ended itself with WASI's proc_exit (exitCode says with what)
  'guest_exit',
  // an app's own (user) host function threw, or was given a bad block offset
  'host_function_failed',
  'invalid_output',
  'not_handled',
  'permission_denied',
  'queue_timeout',
  'quarantined',
  'closed',
] as const;

/** Raised where plugin signatures are made or checked: @plinth/signing, and hosts loading plugin folders. */
export const SIGNING_ERROR_CODES = [
  // unsigned, and the trust policy requires a signature for this plugin
  'signature_required',
  // the signature file cannot be read, or does not verify over these module bytes
  'signature_invalid',
  // signed by a key the trust policy does not trust (for this plugin)
  'signature_untrusted',
  // the id, version or requested permissions signed differ from the plugin's folder or manifest
  'signature_mismatch',
  // a validly signed older version would replace a newer one, and that was not allowed explicitly
  'downgrade_refused',
  // a key that is not an Ed25519 key in an accepted format
  'invalid_signing_key',
] as const;

/** Raised by a host's stores (e.g. @plinth/host-browser's IndexedDB and directory mirrors). */
export const HOST_STORE_ERROR_CODES = [
  // the store cannot be opened: its database or directory cannot be read, holds records the store did not
  // write, or is larger than the store may load
  'store_unavailable',
  // a write the store had already answered could not be made durable; the store refuses writes from then on
  'persistence_failed',
] as const;

/** Every code a PlinthError may carry: the union of each package's codes above. */
export const PLINTH_ERROR_CODES = [
  ...PROTOCOL_ERROR_CODES,
  ...PERMISSIONS_ERROR_CODES,
  ...RUNTIME_ERROR_CODES,
  ...SIGNING_ERROR_CODES,
  ...HOST_STORE_ERROR_CODES,
  ...API_ERROR_CODES,
] as const;

/** The closed union of PlinthError codes; switch over it exhaustively. */
export type PlinthErrorCode = (typeof PLINTH_ERROR_CODES)[number];

/** Structured context carried by every error; fields are absent when they do not apply. */
export interface PlinthErrorContext {
  /** The plugin's canonical id, once it is known. */
  pluginId?: string | undefined;
  pluginVersion?: string | undefined;
  /** The guest export being called, e.g. `handle_command`. */
  exportName?: string | undefined;
  /** The host function being served, e.g. `host_read_file`. */
  hostFunction?: string | undefined;
  /** The limit that was hit, e.g. `timeout_ms`. */
  limit?: string | undefined;
  /** For `fuel_exhausted`: the budget the guest ran out of, and the fuel it had used when stopped. */
  fuelBudget?: number | undefined;
  fuelUsed?: number | undefined;
  /** For `guest_exit`: the code the guest passed to WASI's `proc_exit`. */
  exitCode?: number | undefined;
}

export interface PlinthErrorOptions extends PlinthErrorContext {
  cause?: unknown;
}

const MARKER = Symbol.for('plinth.error');

/**
 * Base class of every error Plinth raises on the host side. Guest-visible wire failures are not errors:
 * they are the failure shapes of the protocol (see `failureOutput`).
 */
export class PlinthError extends Error {
  readonly [MARKER] = true;
  readonly code: PlinthErrorCode;
  readonly context: PlinthErrorContext;

  constructor(code: PlinthErrorCode, message: string, options: PlinthErrorOptions = {}) {
    const { cause, ...context } = options;
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'PlinthError';
    this.code = code;
    this.context = context;
  }

  /** True for any PlinthError, even one created by another copy of this package. */
  static isInstance(value: unknown): value is PlinthError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}
