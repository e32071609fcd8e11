import type { ProtocolError } from '../errors/protocol-error.js';
import type { ParseResult, ProtocolWarning } from '../payload.js';

/** Unwraps an accepted parse result, failing the test with the error message otherwise. */
export function accepted<T>(result: ParseResult<T>): { value: T; warnings: readonly ProtocolWarning[] } {
  if (!result.ok) throw new Error(`expected the payload to be accepted, got: ${result.error.message}`);
  return result;
}

/** Unwraps a rejected parse result, failing the test with the accepted value otherwise. */
export function rejected<T>(result: ParseResult<T>): ProtocolError {
  if (result.ok) throw new Error(`expected the payload to be rejected, got ${JSON.stringify(result.value)}`);
  return result.error;
}
