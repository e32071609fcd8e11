import { GuestExit } from './lanes/guest-exit.js';
import { PlinthError, type PlinthErrorContext } from '@plinth/protocol';

const GUEST_ERROR_PREFIX = 'Plugin-originated error: ';

/**
 * Turns whatever a guest call rejected with into a typed PlinthError. @extism/extism reports a guest's
 * `error_set` as an Error whose message starts "Plugin-originated error: ", a trap as a
 * WebAssembly.RuntimeError (or a RangeError for stack overflow), and — in worker mode — rejects with plain
 * objects rather than Errors.
 */
export function toCallError(rejection: unknown, context: PlinthErrorContext): PlinthError {
  if (PlinthError.isInstance(rejection)) return rejection;
  const where = describeCall(context);
  if (rejection instanceof GuestExit) {
    return new PlinthError('guest_exit', `${where} exited with code ${rejection.exitCode} (WASI proc_exit)`, {
      ...context,
      exitCode: rejection.exitCode,
      cause: rejection,
    });
  }
  const message = messageOf(rejection);
  if (message.startsWith(GUEST_ERROR_PREFIX)) {
    return new PlinthError('guest_error', `${where} failed: ${message.slice(GUEST_ERROR_PREFIX.length)}`, {
      ...context,
      cause: rejection,
    });
  }
  const trapped = rejection instanceof WebAssembly.RuntimeError || rejection instanceof RangeError;
  const kind = trapped ? 'trapped' : 'failed';
  return new PlinthError('trap', `${where} ${kind}: ${message}`, { ...context, cause: asError(rejection) });
}

/** `plugin acme.x@1.0.0 (handle_command)` — how every runtime message names a call. */
export function describeCall(context: PlinthErrorContext): string {
  const plugin = context.pluginId
    ? `plugin ${context.pluginId}${context.pluginVersion ? `@${context.pluginVersion}` : ''}`
    : 'plugin';
  return context.exportName ? `${plugin} (${context.exportName})` : plugin;
}

function messageOf(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
  ) {
    return (value as { message: string }).message;
  }
  return String(value);
}

/** Worker-mode rejections are plain objects; give callers a real Error as the cause. */
function asError(value: unknown): Error {
  if (value instanceof Error) return value;
  const error = new Error(messageOf(value));
  if (typeof value === 'object' && value !== null) Object.assign(error, value);
  return error;
}
