/** The result of normalizing a target: the form rules are matched against, or why it is refused. */
export type NormalizeResult = { ok: true; value: string } | { ok: false; problem: string };

const DRIVE = /^[A-Za-z]:/;
const PERCENT_ESCAPE = /%([0-9A-Fa-f]{2})/g;
/** How many layers of percent-encoding are unwrapped when looking for hidden traversal. */
const MAX_DECODE_DEPTH = 4;

const refuse = (problem: string): NormalizeResult => ({ ok: false, problem });

function hasTraversalSegment(path: string): boolean {
  for (const segment of path.split(/[/\\]/)) if (segment === '..') return true;
  return false;
}

/**
 * Unwraps percent-encoding layer by layer (byte-wise, so malformed UTF-8 cannot hide anything) and reports
 * the first layer that would smuggle in a traversal segment or a NUL. The raw path is never decoded for
 * matching: a file may legitimately be named `100%25.md`.
 */
function encodedProblem(path: string): string | undefined {
  let current = path;
  for (let depth = 0; depth < MAX_DECODE_DEPTH && current.includes('%'); depth++) {
    const decoded = current.replace(PERCENT_ESCAPE, (_, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
    if (decoded === current) return undefined;
    if (decoded.includes('\0')) return 'contains a percent-encoded NUL byte';
    if (hasTraversalSegment(decoded)) return 'contains a percent-encoded ".." segment';
    current = decoded;
  }
  return undefined;
}

/** `/`-separated segments without empty and `.` segments; `undefined` if a `..` segment occurs. */
function segmentsOf(path: string): string[] | undefined {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') return undefined;
    out.push(segment);
  }
  return out;
}

/** A workspace root in comparable form: `/`-separated, no trailing slash, no `.` segments. */
export function normalizeRoot(root: string): { prefix: string; caseInsensitive: boolean } | undefined {
  const slashed = root.replace(/\\/g, '/');
  const segments = segmentsOf(slashed);
  if (segments === undefined || slashed.includes('\0') || (segments.length === 0 && !slashed.startsWith('/')))
    return undefined;
  const lead = slashed.startsWith('//') ? '//' : slashed.startsWith('/') ? '/' : '';
  // A Windows root (`C:\ws`) is compared without regard to case, as Windows compares paths.
  return { prefix: lead + segments.join('/'), caseInsensitive: DRIVE.test(slashed) };
}

const isAbsolute = (path: string): boolean => path.startsWith('/') || DRIVE.test(path);

/**
 * Normalizes a file target to workspace-relative, `/`-separated form (`Daily/2026-03-02.md`; `""` is the
 * workspace root). Refuses — never repairs — a NUL byte, a `..` segment (raw, backslash-separated or
 * percent-encoded), a drive-letter or UNC path, and an absolute path outside `workspaceRoot`. Without a
 * root, a leading `/` is read as workspace-relative (as in markdown links and Diaryx).
 */
export function normalizeFilePath(raw: string, workspaceRoot?: string): NormalizeResult {
  if (raw.includes('\0')) return refuse('contains a NUL byte');
  if (raw.includes('%')) {
    const problem = encodedProblem(raw);
    if (problem !== undefined) return refuse(problem);
  }
  const path = raw.includes('\\') ? raw.replace(/\\/g, '/') : raw;
  const segments = segmentsOf(path);
  if (segments === undefined) return refuse('contains a ".." segment');
  if (!isAbsolute(path)) return { ok: true, value: segments.join('/') };

  if (workspaceRoot !== undefined) {
    const root = normalizeRoot(workspaceRoot);
    if (root === undefined) return refuse('cannot be checked: the workspace root is malformed');
    const relative = relativeTo(path, segments, root);
    return relative === undefined
      ? refuse('is an absolute path outside the workspace root')
      : { ok: true, value: relative };
  }
  if (DRIVE.test(path)) return refuse('is a drive-letter path; only workspace-relative paths are allowed');
  if (path.startsWith('//'))
    return refuse('is a UNC or network path; only workspace-relative paths are allowed');
  return { ok: true, value: segments.join('/') };
}

function relativeTo(
  path: string,
  segments: readonly string[],
  root: { prefix: string; caseInsensitive: boolean },
): string | undefined {
  const lead = path.startsWith('//') ? '//' : path.startsWith('/') ? '/' : '';
  const full = lead + segments.join('/');
  const [a, b] = root.caseInsensitive ? [full.toLowerCase(), root.prefix.toLowerCase()] : [full, root.prefix];
  if (a === b) return '';
  const base = b.endsWith('/') ? b : `${b}/`;
  return a.startsWith(base) ? full.slice(base.length) : undefined;
}
