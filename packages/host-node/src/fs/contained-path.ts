import { lstatSync, realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { WorkspaceFileError } from '@plinth/host-kit';
import { fileErrorFromNode, hasCode } from './errno.js';

/** Where a workspace path really is, after symlinks, once it is known to stay inside the root. */
export interface ContainedPath {
  /** The real absolute path: the file's own when it exists, else the deepest existing ancestor's + the rest. */
  real: string;
  exists: boolean;
  /** The real path of the deepest existing ancestor (the path itself when it exists). */
  existingReal: string;
  /** The segments below `existingReal` that do not exist yet. */
  missing: readonly string[];
  /** The deepest existing ancestor is a file, so the path can never exist. */
  blockedByFile: boolean;
}

const escape = (path: string, detail?: string) => new WorkspaceFileError({ reason: 'escape', path, detail });

const isSymlink = (path: string): boolean => {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
};

/**
 * Resolves workspace-relative paths by real path (PROTOCOL.md §4): each is followed through every symlink
 * to its nearest existing ancestor, and refused when that real path leaves the root's real path. A path
 * whose existing part is a dangling symlink is refused too, since where it would lead is unknown.
 */
export function createContainment(rootReal: string): (path: string) => ContainedPath {
  const base = rootReal.endsWith(sep) ? rootReal : rootReal + sep;
  const inside = (real: string): boolean => real === rootReal || real.startsWith(base);
  return (path) => {
    const segments = path === '' ? [] : path.split('/');
    for (let keep = segments.length; keep >= 0; keep--) {
      const candidate = join(rootReal, ...segments.slice(0, keep));
      let real: string;
      try {
        real = realpathSync.native(candidate);
      } catch (error) {
        if (!hasCode(error, 'ENOENT', 'ENOTDIR')) throw fileErrorFromNode(error, path);
        if (isSymlink(candidate)) throw escape(path, 'it goes through a symbolic link that points nowhere');
        continue;
      }
      if (!inside(real)) throw escape(path);
      const missing = segments.slice(keep);
      let blockedByFile = false;
      if (missing.length > 0) {
        try {
          blockedByFile = !statSync(real).isDirectory();
        } catch (error) {
          throw fileErrorFromNode(error, path);
        }
      }
      return {
        real: join(real, ...missing),
        exists: missing.length === 0,
        existingReal: real,
        missing,
        blockedByFile,
      };
    }
    // The root itself is gone (deleted under the host's feet).
    throw new WorkspaceFileError({ reason: 'not_found', path, detail: 'the workspace root is missing' });
  };
}
