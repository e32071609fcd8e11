import { PlinthError, type PlinthErrorCode, type PlinthErrorOptions } from '@plinth/protocol';

const MARKER = Symbol.for('plinth.plugin-directory-error');

/** Why a plugins-root operation was refused; a closed set so callers can switch over it. */
export type PluginDirectoryErrorReason =
  | 'root_unreadable'
  | 'invalid_id'
  | 'source_unreadable'
  | 'sha256_mismatch'
  | 'already_installed'
  | 'not_installed'
  | 'write_failed';

/**
 * A plugins-root operation (install, uninstall, scan of the root itself) that could not be done. The
 * PlinthError code is `load_failed`, or the runtime's own code when loading the module was the problem.
 */
export class PluginDirectoryError extends PlinthError {
  readonly [MARKER] = true;
  readonly reason: PluginDirectoryErrorReason;
  /** The folder or file the error is about. */
  readonly path: string | undefined;

  constructor(
    reason: PluginDirectoryErrorReason,
    message: string,
    options: PlinthErrorOptions & { path?: string; code?: PlinthErrorCode } = {},
  ) {
    const { path, code = 'load_failed', ...rest } = options;
    super(code, message, rest);
    this.name = 'PluginDirectoryError';
    this.reason = reason;
    this.path = path;
  }

  static override isInstance(value: unknown): value is PluginDirectoryError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
