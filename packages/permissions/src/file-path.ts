import { sizeProblem, TARGET_LIMITS } from './target-limits.js';

/** The result of normalizing a target: the form rules are matched against, or why it is refused. */
export type NormalizeResult = { ok: true; value: string } | { ok: false; problem: string };

const DRIVE = /^[A-Za-z]:/;
/** An empty, `.` or `..` segment (a leading or trailing `/` makes an empty one). */
const UNTIDY = /(?:^|\/)\.{0,2}(?:\/|$)/;
/** How many layers of percent-encoding are unwrapped when looking for hidden traversal. */
const MAX_DECODE_DEPTH = 4;
const NUL = 0;
const PERCENT = 0x25;
const DOT = 0x2e;
const SLASH = 0x2f;
const BACKSLASH = 0x5c;

const refuse = (problem: string): NormalizeResult => ({ ok: false, problem });

/** The value of a hex digit's character code, or -1. */
function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

const encoder = new TextEncoder();
/** Scratch for `encodedProblem`: one layer is read from one buffer while the next is written to the other. */
let layers: [Uint8Array, Uint8Array] | undefined;

/**
 * Unwraps percent-encoding layer by layer, byte-wise (so malformed UTF-8 cannot hide anything), and reports
 * the first layer that would smuggle in a NUL or a traversal segment (the raw path has been checked). Each
 * layer is one pass over bytes in a reused buffer: no strings, no per-escape calls. The raw path is never
 * decoded for matching: a file may legitimately be named `100%25.md`.
 */
function encodedProblem(raw: string): string | undefined {
  // UTF-8 rather than UTF-16 units: only ASCII bytes (`%`, hex digits, `.`, `/`, `\`, NUL) matter here.
  layers ??= [new Uint8Array(TARGET_LIMITS.pathBytes), new Uint8Array(TARGET_LIMITS.pathBytes)];
  let [input, output] = layers;
  let length = encoder.encodeInto(raw, input).written;
  for (let depth = 0; depth < MAX_DECODE_DEPTH; depth++) {
    let written = 0;
    let decoded = false;
    let nul = false;
    let traversal = false;
    let segment = 0; // bytes in the current segment
    let dots = 0; // dots among them
    for (let i = 0; i < length; i++) {
      let byte = input[i] as number;
      if (byte === PERCENT && i + 2 < length) {
        const high = hexValue(input[i + 1] as number);
        const low = hexValue(input[i + 2] as number);
        if (high >= 0 && low >= 0) {
          byte = high * 16 + low;
          i += 2;
          decoded = true;
          if (byte === NUL) nul = true;
        }
      }
      output[written++] = byte;
      if (byte === SLASH || byte === BACKSLASH) {
        if (segment === 2 && dots === 2) traversal = true;
        segment = 0;
        dots = 0;
      } else {
        segment++;
        if (byte === DOT) dots++;
      }
    }
    if (!decoded) return undefined;
    if (nul) return 'contains a percent-encoded NUL byte';
    if (traversal || (segment === 2 && dots === 2)) return 'contains a percent-encoded ".." segment';
    [input, output] = [output, input];
    length = written;
  }
  return undefined;
}

/** Scratch for `rebuild`, big enough for any path within the bound. */
let tidyBytes: Uint8Array | undefined;
const utf8 = new TextDecoder();
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The path without empty and `.` segments and without a leading or trailing `/` (`""` if nothing is left),
 * or `undefined` if it has a `..` segment. `firstMatch` is where `UNTIDY` first matches the path.
 */
function tidy(path: string, firstMatch: number): string | undefined {
  // Most untidy paths are untidy only at their ends (`/Daily/x.md`, `./x.md`, `Daily/`): trim and slice.
  let start = 0;
  let end = path.length;
  const at = (i: number) => path.charCodeAt(i);
  while (
    start < end &&
    (at(start) === SLASH || (at(start) === DOT && (start + 1 === end || at(start + 1) === SLASH)))
  )
    start++;
  while (
    end > start &&
    (at(end - 1) === SLASH || (at(end - 1) === DOT && (end - 1 === start || at(end - 2) === SLASH)))
  )
    end--;
  const inner = path.slice(start, end);
  // Nothing untidy before the trimmed tail means nothing untidy inside.
  return firstMatch >= end || inner === '' || !UNTIDY.test(inner) ? inner : rebuild(inner);
}

/**
 * `tidy` for a path (free of unpaired surrogates, which callers refuse first) with empty, `.` or `..`
 * segments inside: one pass over its UTF-8 bytes, however many
 * segments are dropped, and the string built by the decoder (no per-segment slices or per-match calls).
 * `/` and `.` never occur inside a multi-byte sequence, so the bytes can be compacted like characters.
 */
function rebuild(path: string): string | undefined {
  const size = 3 * TARGET_LIMITS.pathBytes;
  const bytes =
    path.length * 3 <= size ? (tidyBytes ??= new Uint8Array(size)) : new Uint8Array(path.length * 3);
  const { written } = encoder.encodeInto(path, bytes);
  const length = compact(bytes, written);
  return length === undefined ? undefined : utf8.decode(bytes.subarray(0, length));
}

/**
 * Drops empty and `.` segments from the `/`-separated units in place; the new length, or `undefined` if
 * there is a `..` segment.
 */
function compact(units: Uint8Array, length: number): number | undefined {
  let written = 0;
  let start = 0; // where the current segment starts
  for (let i = 0; i <= length; i++) {
    const unit = i < length ? (units[i] as number) : SLASH;
    if (unit !== SLASH) {
      units[written++] = unit;
      continue;
    }
    const segment = written - start;
    if (segment === 0) continue;
    if (units[start] === DOT && (segment === 1 || (segment === 2 && units[start + 1] === DOT))) {
      if (segment === 2) return undefined;
      written = start;
      continue;
    }
    units[written++] = SLASH;
    start = written;
  }
  return written > 0 ? written - 1 : 0; // without the `/` after the last segment kept
}

/** A workspace root in comparable form: `/`-separated, no trailing slash, no `.` segments. */
export function normalizeRoot(root: string): { prefix: string; caseInsensitive: boolean } | undefined {
  const slashed = root.replaceAll('\\', '/');
  if (slashed.includes('\0') || LONE_SURROGATE.test(slashed)) return undefined;
  const untidy = UNTIDY.exec(slashed);
  const relative = untidy === null ? slashed : tidy(slashed, untidy.index);
  if (relative === undefined || (relative === '' && !slashed.startsWith('/'))) return undefined;
  const lead = slashed.startsWith('//') ? '//' : slashed.startsWith('/') ? '/' : '';
  // A Windows root (`C:\ws`) is compared without regard to case, as Windows compares paths.
  return { prefix: lead + relative, caseInsensitive: DRIVE.test(slashed) };
}

const isAbsolute = (path: string): boolean => path.startsWith('/') || DRIVE.test(path);

/**
 * Normalizes a file target to workspace-relative, `/`-separated form (`Daily/2026-03-02.md`; `""` is the
 * workspace root). Refuses — never repairs — a path over `TARGET_LIMITS.pathBytes`, a NUL byte, a `..`
 * segment (raw, backslash-separated or percent-encoded), a drive-letter or UNC path, and an absolute path
 * outside `workspaceRoot`. Without a root, a leading `/` is read as workspace-relative (as in markdown
 * links and Diaryx). Linear in the length of the path.
 */
export function normalizeFilePath(raw: string, workspaceRoot?: string): NormalizeResult {
  const tooLong = sizeProblem(raw, TARGET_LIMITS.pathBytes, 'paths');
  if (tooLong !== undefined) return refuse(tooLong);
  if (raw.includes('\0')) return refuse('contains a NUL byte');
  // The file system would open an unpaired surrogate as U+FFFD: the name checked and the file opened differ.
  if (LONE_SURROGATE.test(raw)) return refuse('contains an unpaired UTF-16 surrogate (not valid Unicode)');
  const path = raw.includes('\\') ? raw.replaceAll('\\', '/') : raw;
  // One pass finds the common case, a path that is already tidy (and so has no `..` either).
  const untidy = UNTIDY.exec(path);
  const relative = untidy === null ? path : tidy(path, untidy.index);
  if (relative === undefined) return refuse('contains a ".." segment');
  if (raw.includes('%')) {
    const problem = encodedProblem(raw);
    if (problem !== undefined) return refuse(problem);
  }
  if (!isAbsolute(path)) return { ok: true, value: relative };

  if (workspaceRoot !== undefined) {
    const root = normalizeRoot(workspaceRoot);
    if (root === undefined) return refuse('cannot be checked: the workspace root is malformed');
    const inside = relativeTo(path, relative, root);
    return inside === undefined
      ? refuse('is an absolute path outside the workspace root')
      : { ok: true, value: inside };
  }
  if (DRIVE.test(path)) return refuse('is a drive-letter path; only workspace-relative paths are allowed');
  if (path.startsWith('//'))
    return refuse('is a UNC or network path; only workspace-relative paths are allowed');
  return { ok: true, value: relative };
}

function relativeTo(
  path: string,
  relative: string,
  root: { prefix: string; caseInsensitive: boolean },
): string | undefined {
  const lead = path.startsWith('//') ? '//' : path.startsWith('/') ? '/' : '';
  const full = lead + relative;
  const [a, b] = root.caseInsensitive ? [full.toLowerCase(), root.prefix.toLowerCase()] : [full, root.prefix];
  if (a === b) return '';
  const base = b.endsWith('/') ? b : `${b}/`;
  return a.startsWith(base) ? full.slice(base.length) : undefined;
}
