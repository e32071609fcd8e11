import { isAbsolute, relative, resolve, sep } from 'node:path';
import { PlinthError } from '@plinth/protocol';
import { realPathOf, type HostPaths } from '../fs/host-paths.js';
import type { NodeHostOptions } from './node-host-types.js';

/**
 * The workspace-relative form of `path` (`''` for the root itself), or undefined when it is outside the
 * workspace. Real paths are compared, since the workspace service contains paths by real path.
 */
export function insideWorkspace(workspaceRoot: string, path: string): string | undefined {
  const relation = relative(realPathOf(workspaceRoot), realPathOf(path));
  if (relation === '..' || relation.startsWith(`..${sep}`) || isAbsolute(relation)) return undefined;
  return relation.split(sep).join('/');
}

/**
 * What plugins may not touch in the workspace, whatever the policy grants: the plugins root and the storage
 * database (a plugin that could read them would read other plugins' secrets; one that could write them
 * would replace other plugins' code), and the policy file, read-only (else a plugin could grant itself
 * anything). Absolute paths; the workspace service compares them with every target by real path.
 */
export function hostFileRules(
  options: NodeHostOptions,
  workspaceRoot: string,
  pluginsRoot: string,
  storagePath: string,
): Required<HostPaths> {
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
    .map((path) => resolve(workspaceRoot, path))
    // Hiding the whole workspace would leave plugins nothing; the plugins-root case is refused above.
    .filter((path) => inside(path) !== '');
  const policyFile = 'file' in options.policy ? options.policy.file : options.policy.frontMatter;
  return { hidden, readOnly: [resolve(workspaceRoot, policyFile)] };
}
