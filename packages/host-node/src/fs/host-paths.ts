import { readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

/** Host files inside a workspace: absolute paths, or paths relative to the workspace root. */
export interface HostPaths {
  /** Files and folders no plugin may see or change: as far as plugins can tell, they do not exist. */
  hidden?: readonly string[] | undefined;
  /** Files plugins may read but never write or delete (e.g. the policy file). */
  readOnly?: readonly string[] | undefined;
}

/** Decides "is this a host file" on real paths, so no symlink alias or spelling reaches one. */
export interface HostPathRules {
  readonly empty: boolean;
  /** `real` is a hidden path or lies inside one. */
  hidden(real: string): boolean;
  readOnly(real: string): boolean;
  /**
   * `real` is a folder on the way to a hidden path that holds nothing a plugin may see (the `.plinth`
   * around a plugins root): it is absent too, name included.
   */
  hostOnlyFolder(real: string): boolean;
}

/** The real path of `path`: its own when it exists, else its deepest existing ancestor's plus the rest. */
export function realPathOf(path: string): string {
  const missing: string[] = [];
  for (let current = resolve(path); ; current = dirname(current)) {
    try {
      return join(realpathSync.native(current), ...missing.reverse());
    } catch {
      if (dirname(current) === current) return resolve(path);
      missing.push(basename(current));
    }
  }
}

// Folded, because a case-insensitive file system opens `.PLINTH/x` as `.plinth/x`: folding only hides more.
const fold = (path: string): string => path.normalize('NFC').toLowerCase();
const covers = (scope: string, path: string): boolean => path === scope || path.startsWith(scope + sep);

/**
 * Compiles host paths against a workspace's real root. Paths are resolved to real paths once, here: a host
 * file that does not exist yet is placed under its existing ancestor's real path.
 */
export function compileHostPaths(rootReal: string, paths: HostPaths = {}): HostPathRules {
  const real = (path: string): string => fold(realPathOf(resolve(rootReal, path)));
  const hidden = (paths.hidden ?? []).map(real);
  const readOnly = new Set((paths.readOnly ?? []).map(real));
  const root = fold(rootReal);
  // Every folder strictly between the root and a hidden path: the candidates for host-only folders.
  const ancestors = new Set<string>();
  for (const scope of hidden) {
    for (let up = dirname(scope); up !== scope && covers(root, up) && up !== root; up = dirname(up)) {
      ancestors.add(up);
    }
  }

  const isHidden = (path: string): boolean => {
    const folded = fold(path);
    return hidden.some((scope) => covers(scope, folded));
  };
  // `seen` stops a symlink inside such a folder that leads back to it from looping.
  const hostOnlyFolder = (path: string, seen = new Set<string>()): boolean => {
    const folded = fold(path);
    if (!ancestors.has(folded)) return false;
    if (seen.has(folded)) return true;
    seen.add(folded);
    let names: string[];
    try {
      names = readdirSync(path);
    } catch {
      return false;
    }
    return names.every((name) => {
      const target = realPathOf(join(path, name));
      return isHidden(target) || hostOnlyFolder(target, seen);
    });
  };
  return {
    empty: hidden.length === 0 && readOnly.size === 0,
    hidden: isHidden,
    readOnly: (path) => readOnly.has(fold(path)),
    hostOnlyFolder: (path) => hostOnlyFolder(path),
  };
}
