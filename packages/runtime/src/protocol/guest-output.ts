import {
  PlinthError,
  type CommandResponse,
  type ParseResult,
  type PlinthErrorContext,
} from '@plinth/protocol';
import { describeCall } from '../call-errors.js';

// Fatal: a lossy decoder would turn invalid UTF-8 into U+FFFD and report a corrupted answer as success.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The output of an export that must answer, as text; no output or invalid UTF-8 is `invalid_output`. */
export function outputText(output: Uint8Array | null, context: PlinthErrorContext, expected: string): string {
  if (output === null) {
    throw new PlinthError(
      'invalid_output',
      `${describeCall(context)} set no output; a ${expected} is required`,
      context,
    );
  }
  try {
    return utf8.decode(output);
  } catch (cause) {
    throw new PlinthError(
      'invalid_output',
      `${describeCall(context)} returned ${output.length} bytes that are not valid UTF-8; a ${expected} is required`,
      { ...context, cause },
    );
  }
}

/** A decoded payload, or `invalid_output` naming the plugin, the export and the field problems. */
export function expectPayload<T>(result: ParseResult<T>, context: PlinthErrorContext): T {
  if (result.ok) return result.value;
  throw new PlinthError(
    'invalid_output',
    `${describeCall(context)} returned an invalid output: ${result.error.message}`,
    {
      ...context,
      cause: result.error,
    },
  );
}

/** What kind of failure a CommandResponse reports, as `commandErrorKind` sorts it. */
export type CommandErrorKind = 'permission_denied' | 'config_error' | 'command_error';

/**
 * How a caller should treat a CommandResponse: null for success; `permission_denied` and `config_error`
 * are the codes the host types (PROTOCOL.md section 3); any other failure is a command error.
 */
export function commandErrorKind(response: CommandResponse): CommandErrorKind | null {
  if (response.success) return null;
  if (response.error_code === 'permission_denied' || response.error_code === 'config_error') {
    return response.error_code;
  }
  return 'command_error';
}
