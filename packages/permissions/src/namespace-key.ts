import type { NormalizeResult } from './file-path.js';

/**
 * A `namespaces` target or scope (`<ns_id>/<key>`, or `<ns_id>`). Object keys are opaque, so nothing is
 * rewritten; a NUL or a `.`/`..` segment is refused, since a backend that resolves keys as paths would
 * otherwise reach another namespace. A trailing `/` is dropped.
 */
export function normalizeNamespaceKey(raw: string): NormalizeResult {
  if (raw.includes('\0')) return { ok: false, problem: 'contains a NUL byte' };
  const value = raw.endsWith('/') ? raw.replace(/\/+$/, '') : raw;
  for (const segment of value.split('/')) {
    if (segment === '..' || segment === '.') return { ok: false, problem: `contains a "${segment}" segment` };
  }
  if (value === '') return { ok: false, problem: 'is empty' };
  return { ok: true, value };
}
