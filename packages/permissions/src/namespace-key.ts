import type { NormalizeResult } from './file-path.js';
import { sizeProblem, TARGET_LIMITS } from './target-limits.js';

const SLASH = 0x2f;
const DOT_SEGMENT = /(?:^|\/)(\.\.?)(?:\/|$)/;

/**
 * A `namespaces` target or scope (`<ns_id>/<key>`, or `<ns_id>`). Object keys are opaque, so nothing is
 * rewritten; a key over `TARGET_LIMITS.keyBytes`, a NUL or a `.`/`..` segment is refused, since a backend
 * that resolves keys as paths would otherwise reach another namespace. Trailing `/`s are dropped.
 */
export function normalizeNamespaceKey(raw: string): NormalizeResult {
  const tooLong = sizeProblem(raw, TARGET_LIMITS.keyBytes, 'namespace keys');
  if (tooLong !== undefined) return { ok: false, problem: tooLong };
  if (raw.includes('\0')) return { ok: false, problem: 'contains a NUL byte' };
  // A loop, not /\/+$/: that pattern retries every run of slashes inside the key to its end.
  let end = raw.length;
  while (end > 0 && raw.charCodeAt(end - 1) === SLASH) end--;
  const value = end === raw.length ? raw : raw.slice(0, end);
  const dots = DOT_SEGMENT.exec(value);
  if (dots !== null) return { ok: false, problem: `contains a "${dots[1] as string}" segment` };
  if (value === '') return { ok: false, problem: 'is empty' };
  return { ok: true, value };
}
