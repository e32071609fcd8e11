import { PlinthError, type PlinthErrorContext } from './errors/plinth-error.js';

/**
 * The deepest nesting of arrays and objects a host accepts in JSON that comes from outside: command params,
 * host-function requests, guest payloads. `[]` and `{}` are one level, `[[1]]` two, a scalar none. Far
 * below the depth at which a recursive walk (`JSON.stringify`, zod's `z.json()`) overflows the stack, far
 * above anything a real command or request needs.
 */
export const MAX_JSON_DEPTH = 256;

/** A decoded value nested deeper than the limit, or one that contains itself. */
export interface JsonValueDepthProblem {
  kind: 'value';
  /** The deepest nesting allowed. */
  maxDepth: number;
  /** Path from the root of the first array or object past the limit (or of the one that contains itself). */
  path: readonly (string | number)[];
  /** The value contains itself, so no depth is enough and JSON cannot hold it. */
  cycle: boolean;
  /** What is wrong, without naming the value: `nested deeper than 256 levels: level 257 opens at $.a…`. */
  message: string;
}

/** JSON text nested deeper than the limit. */
export interface JsonTextDepthProblem {
  kind: 'text';
  maxDepth: number;
  /** Offset (UTF-16 code units) of the `[` or `{` that opens level `maxDepth + 1`. */
  offset: number;
  /** The deepest nesting in the whole text. */
  depth: number;
  /** What is wrong, without naming the text: `nested deeper than 256 levels: 60000 levels; …`. */
  message: string;
}

/** Why a value or text is nested too deeply; the value or text variant. */
export type JsonDepthProblem = JsonValueDepthProblem | JsonTextDepthProblem;

export interface JsonDepthOptions extends PlinthErrorContext {
  /** What the JSON is, to start the error message: `params`, `host_emit_event request`. Default `JSON`. */
  subject?: string | undefined;
  /** Deepest nesting allowed. Default MAX_JSON_DEPTH. */
  maxDepth?: number | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** One array or object met by the walk; the parent links give the path when a problem is found. */
interface Frame {
  value: object;
  depth: number;
  parent: Frame | undefined;
  key: string | number;
}

/**
 * The first array or object in `value` nested deeper than `maxDepth`, or undefined. Iterative, so any
 * depth is safe; it stops at the first level past the limit, so a value that contains itself ends too
 * (reported with `cycle: true`). Arrays and own enumerable keys are walked, as `JSON.stringify` does.
 */
export function findJsonDepthProblem(
  value: unknown,
  maxDepth: number = MAX_JSON_DEPTH,
): JsonValueDepthProblem | undefined {
  checkMaxDepth(maxDepth);
  if (typeof value !== 'object' || value === null) return undefined;
  const pending: Frame[] = [{ value, depth: 1, parent: undefined, key: '' }];
  for (let frame = pending.pop(); frame !== undefined; frame = pending.pop()) {
    if (frame.depth > maxDepth) return valueProblem(frame, maxDepth);
    const current = frame.value;
    const depth = frame.depth + 1;
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) {
        const item: unknown = current[index];
        if (typeof item === 'object' && item !== null) {
          pending.push({ value: item, depth, parent: frame, key: index });
        }
      }
    } else {
      for (const key of Object.keys(current)) {
        const item: unknown = (current as Record<string, unknown>)[key];
        if (typeof item === 'object' && item !== null) {
          pending.push({ value: item, depth, parent: frame, key });
        }
      }
    }
  }
  return undefined;
}

/**
 * Where JSON text nests deeper than `maxDepth`, or undefined; meant to run before `JSON.parse` builds the
 * value. One linear pass counting brackets outside strings (none for text shorter than two characters a
 * level); it does not check the syntax, so text that is not JSON either passes (JSON.parse then refuses
 * it) or is reported by its brackets alone.
 */
export function findJsonTextDepthProblem(
  text: string,
  maxDepth: number = MAX_JSON_DEPTH,
): JsonTextDepthProblem | undefined {
  checkMaxDepth(maxDepth);
  // Each level takes two characters, so short text cannot be too deep, unless it is not JSON at all (and
  // then JSON.parse refuses it without building anything).
  if (text.length < 2 * (maxDepth + 1)) return undefined;
  let depth = 0;
  let deepest = 0;
  let offset = -1;
  const length = text.length;
  for (let at = 0; at < length; at++) {
    const code = text.charCodeAt(at);
    if (code === QUOTE) {
      at = stringEnd(text, at);
    } else if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest === maxDepth + 1) offset = at;
      }
    } else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
      depth -= 1;
    }
  }
  if (offset < 0) return undefined;
  return {
    kind: 'text',
    maxDepth,
    offset,
    depth: deepest,
    message: `nested deeper than ${maxDepth} levels: ${deepest} levels; level ${maxDepth + 1} opens at offset ${offset}`,
  };
}

/** Throws `invalid_params` naming the subject and where, when `value` nests deeper than allowed. */
export function assertJsonDepth(value: unknown, options: JsonDepthOptions = {}): void {
  const { subject = 'JSON', maxDepth = MAX_JSON_DEPTH, ...context } = options;
  const problem = findJsonDepthProblem(value, maxDepth);
  if (problem !== undefined) throw jsonDepthError(problem, { subject, ...context });
}

/**
 * `JSON.parse` that refuses text nested deeper than allowed before building anything. Throws only
 * PlinthErrors: `invalid_params` for the depth, `invalid_json` for text that is not JSON.
 */
export function parseJsonWithinDepth(text: string, options: JsonDepthOptions = {}): unknown {
  const { subject = 'JSON', maxDepth = MAX_JSON_DEPTH, ...context } = options;
  if (typeof text !== 'string') {
    throw new PlinthError('invalid_json', `${subject} must be JSON text, got ${typeof text}`, context);
  }
  const problem = findJsonTextDepthProblem(text, maxDepth);
  if (problem !== undefined) throw jsonDepthError(problem, { subject, ...context });
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new PlinthError('invalid_json', `${subject} is not valid JSON: ${reason}`, { ...context, cause });
  }
}

/** The `invalid_params` error for a depth problem: `<subject> nested deeper than 256 levels: …`. */
function jsonDepthError(
  problem: JsonDepthProblem,
  options: PlinthErrorContext & { subject?: string | undefined } = {},
): PlinthError {
  const { subject = 'JSON', ...context } = options;
  return new PlinthError('invalid_params', `${subject} ${problem.message}`, {
    ...context,
    limit: 'MAX_JSON_DEPTH',
  });
}

/** Renders a path as `$.a[0]["b c"]`, keeping the first and last few segments of a long one. */
function formatJsonPath(path: readonly (string | number)[]): string {
  const shown =
    path.length > 10
      ? [...path.slice(0, 6).map(segment), '…', ...path.slice(-3).map(segment)]
      : path.map(segment);
  return `$${shown.join('')}`;
}

function segment(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) && key.length <= 40) return `.${key}`;
  return `[${JSON.stringify(key.length > 40 ? `${key.slice(0, 39)}…` : key)}]`;
}

function valueProblem(frame: Frame, maxDepth: number): JsonValueDepthProblem {
  // Past the limit a cycle shows as a value met again among its own ancestors; name its first place.
  let reported = frame;
  for (let at = frame.parent; at !== undefined; at = at.parent) if (at.value === frame.value) reported = at;
  const cycle = reported !== frame;
  const path: (string | number)[] = [];
  for (let at = reported; at.parent !== undefined; at = at.parent) path.push(at.key);
  path.reverse();
  const where = formatJsonPath(path);
  const message = cycle
    ? `cannot be JSON: the value at ${where} contains itself`
    : `nested deeper than ${maxDepth} levels: level ${maxDepth + 1} opens at ${where}`;
  return { kind: 'value', maxDepth, path, cycle, message };
}

/** Index of the quote closing the string that opens at `open`; the text's end when it never closes. */
function stringEnd(text: string, open: number): number {
  let at = open;
  for (;;) {
    at = text.indexOf('"', at + 1);
    if (at < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return at;
  }
}

function checkMaxDepth(maxDepth: number): void {
  if (!Number.isInteger(maxDepth) || maxDepth < 0) {
    throw new PlinthError(
      'invalid_options',
      `maxDepth must be a whole number of at least 0; got ${String(maxDepth)}`,
    );
  }
}
