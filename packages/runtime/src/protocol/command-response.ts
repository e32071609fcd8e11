import {
  commandResponsePayload,
  decodeCommandResponse,
  findJsonTextDepthProblem,
  type CommandResponse,
  type JsonValue,
  type PlinthErrorContext,
} from '@plinth/protocol';
import { parseFlatCommandResponse } from './flat-command-response.js';
import { expectPayload, outputText } from './guest-output.js';

/**
 * `handle_command`'s output as a CommandResponse; missing, non-UTF-8 or invalid output (data nested deeper
 * than MAX_JSON_DEPTH included) is `invalid_output`. Valid output, the hot path, is checked structurally;
 * anything the check does not accept goes through the zod schema, which decides and words the error.
 */
export function readCommandResponse(output: Uint8Array | null, context: PlinthErrorContext): CommandResponse {
  const text = outputText(output, context, 'CommandResponse');
  return parseValidCommandResponse(text) ?? expectPayload(decodeCommandResponse(text), context);
}

/**
 * The CommandResponse in `text` when it is certainly valid, built as the schema builds it (known fields
 * only, in schema order); otherwise undefined. Never accepts what the schema refuses: a property test
 * holds it to `decodeCommandResponse`. Numbers JSON cannot carry (`1e999`) and `__proto__` keys are left
 * to the schema.
 */
export function parseValidCommandResponse(text: string): CommandResponse | undefined {
  const flat = parseFlatCommandResponse(text);
  if (flat !== undefined) return flat;
  // data nested past the limit would overflow whoever stringifies it next; the schema words the refusal.
  if (findJsonTextDepthProblem(text, commandResponsePayload.maxDepth) !== undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { success, data, error, error_code } = value as Record<string, unknown>;
  if (typeof success !== 'boolean') return undefined;
  if (error !== undefined && typeof error !== 'string') return undefined;
  if (error_code !== undefined && typeof error_code !== 'string') return undefined;
  const response: CommandResponse = { success };
  if (data !== undefined) {
    if (!isPlainJson(data)) return undefined;
    response.data = data;
  }
  if (error !== undefined) response.error = error;
  if (error_code !== undefined) response.error_code = error_code;
  return response;
}

/** A value from JSON.parse that the schema passes through unchanged. Iterative: any depth is fine. */
function isPlainJson(value: unknown): value is JsonValue {
  if (typeof value !== 'object') return typeof value !== 'number' || Number.isFinite(value);
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'number') {
      if (!Number.isFinite(next)) return false;
    } else if (Array.isArray(next)) {
      for (const item of next) if (typeof item === 'object' || typeof item === 'number') pending.push(item);
    } else if (typeof next === 'object' && next !== null) {
      if (Object.hasOwn(next, '__proto__')) return false;
      for (const key in next) {
        const item = (next as Record<string, unknown>)[key];
        if (typeof item === 'object' || typeof item === 'number') pending.push(item);
      }
    }
  }
  return true;
}
