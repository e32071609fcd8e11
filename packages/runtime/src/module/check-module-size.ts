import type { ModuleTooLargeProblem } from './module-problem.js';

/** The answer of `checkModuleSize`; `size` is in bytes either way. */
export type ModuleSizeResult =
  { ok: true; size: number } | { ok: false; size: number; problem: ModuleTooLargeProblem };

const formatBytes = (bytes: number): string =>
  bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB (${bytes} bytes)` : `${bytes} bytes`;

/**
 * Checks a module's size against the host's limit. Call it first: it is O(1), and the other checks
 * read the whole module.
 */
export function checkModuleSize(bytes: Uint8Array, maxBytes: number): ModuleSizeResult {
  if (!(maxBytes >= 0)) throw new RangeError(`maxBytes must be a non-negative number, got ${maxBytes}`);
  const size = bytes.length;
  if (size <= maxBytes) return { ok: true, size };
  return {
    ok: false,
    size,
    problem: {
      code: 'module_too_large',
      message: `The module is ${formatBytes(size)}, over the limit of ${formatBytes(maxBytes)}`,
      size,
      limit: maxBytes,
    },
  };
}
