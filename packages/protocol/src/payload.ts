import type { z } from 'zod';
import { ProtocolError, type ProtocolErrorCode, type ProtocolIssue } from './errors/protocol-error.js';
import {
  MAX_JSON_DEPTH,
  findJsonDepthProblem,
  findJsonTextDepthProblem,
  type JsonDepthProblem,
} from './json-depth.js';

/** Something worth telling the author that did not stop the payload from being accepted. */
export interface ProtocolWarning {
  path: readonly (string | number)[];
  message: string;
}

/**
 * The outcome of `parse` or `decode`: the value with any warnings, or the ProtocolError that refused it.
 * Never thrown.
 */
export type ParseResult<T> =
  { ok: true; value: T; warnings: readonly ProtocolWarning[] } | { ok: false; error: ProtocolError };

/**
 * A payload of the wire contract: its zod schema (the source of the JSON Schema file) plus the lenient
 * post-processing the contract asks for, which a JSON Schema cannot express (warnings, dropped elements).
 */
export interface Payload<T, Wire = T> {
  /** Human name used in messages, e.g. `GuestManifest`. */
  readonly name: string;
  /** Base name of the JSON Schema file, e.g. `guest-manifest`. */
  readonly fileName: string;
  readonly description: string;
  /** The wire schema (the source of the JSON Schema file), before lenient post-processing. */
  readonly schema: z.ZodType<Wire>;
  /** Deepest nesting `parse` and `decode` accept: MAX_JSON_DEPTH, or one more for a value one level in. */
  readonly maxDepth: number;
  /** Validates an already-decoded JSON value; nesting past `maxDepth` is `invalid_params`. Never throws. */
  parse(value: unknown): ParseResult<T>;
  /** Decodes UTF-8 JSON text and validates it; nesting past `maxDepth` is `invalid_params`. Never throws. */
  decode(text: string): ParseResult<T>;
}

/**
 * What `definePayload` needs to build a Payload. `name`, `fileName` and `description` mean the same as on
 * Payload.
 */
export interface PayloadDefinition<T, Wire> {
  name: string;
  fileName: string;
  description: string;
  schema: z.ZodType<Wire>;
  /** Error code to use when the first issue is under this top-level field. Default `invalid_payload`. */
  codeByField?: Readonly<Record<string, ProtocolErrorCode>>;
  /** Lenient clean-up after schema validation; pushes warnings rather than failing. */
  postProcess?: (value: Wire, warn: (warning: ProtocolWarning) => void, raw: unknown) => T;
  /** The JSON value an empty wire text stands for, where the contract allows an empty output. */
  emptyText?: unknown;
  /**
   * Deepest nesting accepted, checked before the schema, whose z.json() recursion would overflow the stack
   * on a deep value. Default MAX_JSON_DEPTH.
   */
  maxDepth?: number;
}

/**
 * Builds a Payload from its schema. Its `parse` and `decode` check nesting depth first, then the schema (the
 * first issue's field picks the error code from `codeByField`), then run `postProcess`; they answer a
 * ParseResult and never throw.
 */
export function definePayload<T, Wire = T>(definition: PayloadDefinition<T, Wire>): Payload<T, Wire> {
  const { name, fileName, description, schema, codeByField = {}, postProcess, emptyText } = definition;
  const maxDepth = definition.maxDepth ?? MAX_JSON_DEPTH;

  const validate = (value: unknown): ParseResult<T> => {
    // Parsing with an error map turns off zod's compiled fast path, so the map is used only to word the
    // issues of a value already known to be invalid.
    const fast = schema.safeParse(value);
    const result = fast.success ? fast : schema.safeParse(value, { error: friendlyIssueMessage });
    if (!result.success) {
      const issues = result.error.issues.map(toProtocolIssue);
      // A field's own code (e.g. invalid_version) is for a value that breaks its rule; a value of the
      // wrong type is an ordinary invalid_payload.
      const firstIssue = result.error.issues[0];
      const wrongType = firstIssue?.code === 'invalid_type' && firstIssue.expected !== 'int';
      const first = wrongType ? undefined : firstIssue?.path[0];
      const code = (typeof first === 'string' ? codeByField[first] : undefined) ?? 'invalid_payload';
      return { ok: false, error: new ProtocolError(code, { payload: name, issues }) };
    }
    const warnings: ProtocolWarning[] = [];
    const cleaned = postProcess
      ? postProcess(result.data, (w) => warnings.push(w), value)
      : (result.data as unknown as T);
    return { ok: true, value: cleaned, warnings };
  };

  const parse = (value: unknown): ParseResult<T> => {
    const tooDeep = findJsonDepthProblem(value, maxDepth);
    return tooDeep === undefined ? validate(value) : depthFailure(tooDeep, name);
  };

  const decode = (text: string): ParseResult<T> => {
    if (text === '' && emptyText !== undefined) return validate(emptyText);
    const json = decodeJson(text, name, maxDepth);
    return json.ok ? validate(json.value) : json;
  };

  return { name, fileName, description, schema, maxDepth, parse, decode };
}

/**
 * Parses JSON text, answering a typed error instead of throwing: `invalid_json` for text that is not JSON,
 * `invalid_params` for nesting deeper than `maxDepth` (refused before JSON.parse builds the value).
 */
export function decodeJson(
  text: string,
  payloadName: string,
  maxDepth: number = MAX_JSON_DEPTH,
): ParseResult<unknown> {
  if (typeof text !== 'string') {
    const issue = { path: [], message: `expected JSON text, got ${describe(text)}` };
    return { ok: false, error: new ProtocolError('invalid_json', { payload: payloadName, issues: [issue] }) };
  }
  const tooDeep = findJsonTextDepthProblem(text, maxDepth);
  if (tooDeep !== undefined) return depthFailure(tooDeep, payloadName);
  try {
    return { ok: true, value: JSON.parse(text) as unknown, warnings: [] };
  } catch (cause) {
    const preview = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    const reason = cause instanceof Error ? cause.message : String(cause);
    const issue = {
      path: [],
      message: `not valid JSON (${reason}); the text starts ${JSON.stringify(preview)}`,
    };
    return {
      ok: false,
      error: new ProtocolError('invalid_json', { payload: payloadName, issues: [issue], cause }),
    };
  }
}

/** The problem's path goes in the message, shortened: a path past the limit has hundreds of segments. */
function depthFailure(problem: JsonDepthProblem, payloadName: string): { ok: false; error: ProtocolError } {
  const issue = { path: [], message: problem.message };
  return { ok: false, error: new ProtocolError('invalid_params', { payload: payloadName, issues: [issue] }) };
}

/** Like `parse`, but throws the ProtocolError. For callers that treat bad input as a bug. */
export function expectValid<T>(result: ParseResult<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

function toProtocolIssue(issue: z.core.$ZodIssue): ProtocolIssue {
  const path = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
  return { path, message: issue.message };
}

/** Zod's defaults read "Invalid input: expected string, received undefined"; authors want plainer words. */
export const friendlyIssueMessage: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return `is required (expected ${issue.expected})`;
    return `expected ${issue.expected}, got ${describe(issue.input)}`;
  }
  return undefined;
};

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'bytes';
  if (typeof value === 'string')
    return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
