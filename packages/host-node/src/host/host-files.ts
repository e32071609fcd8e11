import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PlinthError } from '@plinth/protocol';
import { WorkspaceFileError, type WorkspaceFiles } from '@plinth/runtime';
import type { NodeHostOptions } from './node-host-types.js';

export interface HostFileRules {
  /** Workspace-relative paths no plugin may see or change: they do not exist as far as plugins can tell. */
  hidden: readonly string[];
  /** Workspace-relative files plugins may read but never write or delete. */
  readOnly: readonly string[];
}

/** The real path of `path`, or of its folder when it does not exist yet (a file the host creates later). */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/**
 * The workspace-relative form of `path` (`''` for the root itself), or undefined when it is outside the
 * workspace. Real paths are compared, since the workspace service contains paths by real path.
 */
export function insideWorkspace(workspaceRoot: string, path: string): string | undefined {
  const relation = relative(realPath(workspaceRoot), realPath(path));
  if (relation === '..' || relation.startsWith(`..${sep}`) || isAbsolute(relation)) return undefined;
  return relation.split(sep).join('/');
}

// Folded, because a case-insensitive file system opens `.PLINTH/x` as `.plinth/x`: folding only hides more.
const fold = (path: string): string => path.normalize('NFC').toLowerCase();
const covers = (scope: string, path: string): boolean => path === scope || path.startsWith(`${scope}/`);

/**
 * The workspace files with the host's own files kept out of reach whatever the policy grants: the plugins
 * root and the storage database when they sit inside the workspace (a plugin that could read them would
 * read other plugins' secrets; one that could write them would replace other plugins' code), and the
 * policy file, which a plugin could otherwise edit to grant itself anything.
 */
export function guardHostFiles(files: WorkspaceFiles, rules: HostFileRules): WorkspaceFiles {
  const hidden = rules.hidden.map(fold);
  const readOnly = rules.readOnly.map(fold);
  const isHidden = (path: string): boolean => hidden.some((scope) => covers(scope, fold(path)));
  const isReadOnly = (path: string): boolean => readOnly.includes(fold(path));
  const notFound = (path: string): WorkspaceFileError =>
    new WorkspaceFileError({ reason: 'not_found', path });
  const refuseChange = (path: string): void => {
    const why = isHidden(path)
      ? 'reserved for the host'
      : isReadOnly(path)
        ? 'the policy file is read-only for plugins'
        : undefined;
    if (why !== undefined) throw new WorkspaceFileError({ reason: 'invalid_path', path, detail: why });
  };
  // Both listings answer workspace-relative paths.
  const visible = (paths: string[]): string[] => paths.filter((path) => !isHidden(path));
  if (hidden.length === 0 && readOnly.length === 0) return files;
  return {
    stat: (path) => (isHidden(path) ? undefined : files.stat(path)),
    read(path) {
      if (isHidden(path)) throw notFound(path);
      return files.read(path);
    },
    hash(path) {
      if (isHidden(path)) throw notFound(path);
      return files.hash(path);
    },
    list: (prefix) => (isHidden(prefix) ? [] : visible(files.list(prefix))),
    listDir(path) {
      if (isHidden(path)) throw notFound(path);
      return visible(files.listDir(path));
    },
    write(path, content) {
      refuseChange(path);
      files.write(path, content);
    },
    delete(path) {
      refuseChange(path);
      files.delete(path);
    },
  };
}

/** What plugins may not touch in the workspace: the host's own files, and the policy (read-only). */
export function hostFileRules(
  options: NodeHostOptions,
  workspaceRoot: string,
  pluginsRoot: string,
  storagePath: string,
): HostFileRules {
  const inside = (path: string): string | undefined =>
    insideWorkspace(workspaceRoot, resolve(workspaceRoot, path));
  if (inside(pluginsRoot) === '') {
    throw new PlinthError(
      'load_failed',
      `createNodeHost: the plugins root must not be the workspace root (${workspaceRoot}): plugins could rewrite each other`,
    );
  }
  const database = ['', '-wal', '-shm', '-journal'].map((suffix) => `${storagePath}${suffix}`);
  const hidden = [pluginsRoot, ...database, ...(options.hiddenPaths ?? [])]
    .map(inside)
    .filter((path): path is string => path !== undefined && path !== '');
  const policyFile = inside('file' in options.policy ? options.policy.file : options.policy.frontMatter);
  return { hidden, readOnly: policyFile === undefined ? [] : [policyFile] };
}
