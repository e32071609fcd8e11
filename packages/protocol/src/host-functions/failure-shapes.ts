import { z } from 'zod';

/**
 * How a host function answers when it cannot succeed. A host function never traps the guest: every
 * failure — malformed input, denial, I/O error, a limit, "not available" — is one of these shapes.
 *
 * - `E`: `{"error": "<message>"}`
 * - `S`: a non-empty string (an empty string means success)
 * - `Q`: quiet — the function's "absent" answer (`""`, `false`, or its not-found shape); the denial is
 *   logged to the audit sink instead of being told to the guest
 * - `H`: `{status: 0, headers: {}, body: "<message>", error: "<message>"}` (HTTP)
 * - `P`: `{success: false, error}` (cross-plugin commands)
 * - `W`: `{exit_code: -1, stdout: "", stderr: "<message>", error}` (WASI modules)
 * - `O`: `{ok: false, error}` (WebSocket requests)
 * - `none`: the function has no failure shape in the contract; it answers its documented fallback
 *   (an empty or neutral value) instead
 */
export const FAILURE_SHAPES = ['E', 'S', 'Q', 'H', 'P', 'W', 'O', 'none'] as const;
/** A failure shape letter (see FAILURE_SHAPES). */
export type FailureShape = (typeof FAILURE_SHAPES)[number];

/** Failure shape E: `{error}`. */
export const errorFailureSchema = z.object({ error: z.string() }).describe('Failure shape E.');
/** Failure shape H: an HTTP answer with status 0 and the message as body and error. */
export const httpFailureSchema = z
  .object({
    status: z.literal(0),
    headers: z.record(z.string(), z.string()),
    body: z.string(),
    error: z.string(),
  })
  .describe('Failure shape H.');
/** Failure shape P: `{success: false, error}`. */
export const commandFailureSchema = z
  .object({ success: z.literal(false), error: z.string() })
  .describe('Failure shape P.');
/** Failure shape W: exit code -1 with the message on stderr and in error. */
export const wasiFailureSchema = z
  .object({ exit_code: z.literal(-1), stdout: z.literal(''), stderr: z.string(), error: z.string() })
  .describe('Failure shape W.');
/** Failure shape O: `{ok: false, error}`. */
export const okFailureSchema = z
  .object({ ok: z.literal(false), error: z.string() })
  .describe('Failure shape O.');
/** Failure shape S: the message itself, never empty. */
export const stringFailureSchema = z.string().min(1).describe('Failure shape S: a non-empty message.');

/** The JSON Schema-able failure shapes, by shape letter. `Q` and `none` are per-function values. */
export const FAILURE_SHAPE_SCHEMAS = {
  E: errorFailureSchema,
  S: stringFailureSchema,
  H: httpFailureSchema,
  P: commandFailureSchema,
  W: wasiFailureSchema,
  O: okFailureSchema,
} as const;

/** Prefixes a message with the function name, as the contract requires (`host_write_file: …`). */
export function prefixMessage(functionName: string, message: string): string {
  const text = message.trim() === '' ? 'failed' : message;
  return text.startsWith(`${functionName}:`) ? text : `${functionName}: ${text}`;
}

/**
 * Renders a failure as wire text in the given shape. `quiet` is the function's absent answer, used for
 * `Q` and `none`.
 */
export function renderFailure(
  shape: FailureShape,
  functionName: string,
  message: string,
  quiet: string,
): string {
  const error = prefixMessage(functionName, message);
  switch (shape) {
    case 'E':
      return JSON.stringify({ error });
    case 'S':
      return error;
    case 'H':
      return JSON.stringify({ status: 0, headers: {}, body: error, error });
    case 'P':
      return JSON.stringify({ success: false, error });
    case 'W':
      return JSON.stringify({ exit_code: -1, stdout: '', stderr: error, error });
    case 'O':
      return JSON.stringify({ ok: false, error });
    case 'Q':
    case 'none':
      return quiet;
  }
}
