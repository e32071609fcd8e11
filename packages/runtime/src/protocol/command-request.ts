import {
  findJsonDepthProblem,
  findJsonTextDepthProblem,
  PlinthError,
  type JsonDepthProblem,
  type JsonValue,
  type PlinthErrorContext,
} from '@plinth/protocol';
import { describeCall } from '../call-errors.js';

const encoder = new TextEncoder();
/** Past this length TextEncoder's own speed outweighs its fixed cost per call. */
const SHORT_TEXT = 512;

/** The CommandRequest input of one command, as bytes a lane hands to the guest. */
export interface CommandRequestEncoder {
  /**
   * `JSON.stringify({ command, params })` as UTF-8. The bytes for `params: null` are made once and shared:
   * lanes copy their input before a guest sees it. Params nested deeper than MAX_JSON_DEPTH, that contain
   * themselves or that JSON.stringify refuses are `invalid_params`, before any guest is called.
   */
  encode(params: JsonValue | null): Uint8Array<ArrayBuffer>;
}

/**
 * Encodes one command's requests without TextEncoder where it can: in Node 20 TextEncoder.encode (which
 * rc13 runs on a string input) costs ~0.5 µs whatever the size, ten times a lane's copy of cached bytes.
 */
export function createCommandRequestEncoder(
  command: string,
  context: PlinthErrorContext = {},
): CommandRequestEncoder {
  const name = JSON.stringify(command);
  const prefix = `{"command":${name},"params":`;
  const withNullParams = utf8Bytes(JSON.stringify({ command, params: null }));
  return {
    encode(params) {
      if (params === null) return withNullParams;
      let encoded: string | undefined;
      try {
        // Undefined for a value JSON cannot hold (a function, say), which JSON.stringify leaves out.
        encoded = JSON.stringify(params) as string | undefined;
      } catch (cause) {
        // Some thousands of levels overflow JSON.stringify's stack; a cycle or a BigInt is a TypeError.
        throw invalidParams(command, context, params, undefined, cause);
      }
      if (encoded === undefined) return utf8Bytes(`{"command":${name}}`);
      // Scalars have no brackets outside strings; objects are checked on the text (linear, no allocation).
      if (typeof params === 'object' && findJsonTextDepthProblem(encoded) !== undefined) {
        throw invalidParams(command, context, params, encoded, undefined);
      }
      return utf8Bytes(`${prefix}${encoded}}`);
    },
  };
}

/** `invalid_params` naming the plugin, the command, and where the params go too deep when that is why. */
function invalidParams(
  command: string,
  context: PlinthErrorContext,
  params: unknown,
  encoded: string | undefined,
  cause: unknown,
): PlinthError {
  let problem: JsonDepthProblem | undefined =
    encoded === undefined ? undefined : findJsonTextDepthProblem(encoded);
  try {
    // The walk over the value names a path, which reads better than an offset into text nobody sees.
    problem = findJsonDepthProblem(params) ?? problem;
  } catch {
    // A getter that throws: JSON.stringify's own error says enough.
  }
  const reason =
    problem?.message ?? `cannot be JSON: ${cause instanceof Error ? cause.message : String(cause)}`;
  return new PlinthError(
    'invalid_params',
    `${describeCall(context)} command ${JSON.stringify(command)}: params ${reason}`,
    { ...context, ...(problem === undefined ? {} : { limit: 'MAX_JSON_DEPTH' }), cause },
  );
}

/** UTF-8 bytes of `text`; short ASCII text is copied in a loop, sparing TextEncoder's fixed cost. */
export function utf8Bytes(text: string): Uint8Array<ArrayBuffer> {
  const length = text.length;
  if (length > SHORT_TEXT) return encoder.encode(text);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return encoder.encode(text);
    bytes[i] = code;
  }
  return bytes;
}
