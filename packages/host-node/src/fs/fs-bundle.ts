import { resolve } from 'node:path';
import { checkOptions } from '@plinth/protocol';
import { createFilesBundle, type FilesBundleOptions, type HostBundle } from '@plinth/host-kit';
import { fsBundleOptionsSchema } from './fs-options.js';
import { createNodeWorkspaceFiles, type NodeWorkspaceFilesOptions } from './node-workspace-files.js';

/**
 * What `createFsBundle` needs: the workspace (NodeWorkspaceFilesOptions) and the bundle's permission and
 * event options.
 */
export interface FsBundleOptions extends Omit<FilesBundleOptions, 'files'>, NodeWorkspaceFilesOptions {}

/**
 * The workspace-files host functions over a folder on disk. `workspaceRoot` (for absolute paths a guest
 * sends) defaults to `root`. Synchronous unless `ask` is set, so it serves both lanes.
 */
export function createFsBundle(options: FsBundleOptions): HostBundle {
  checkOptions('createFsBundle', fsBundleOptionsSchema, options);
  const { root, maxReadBytes, hostPaths, ...rest } = options;
  const files = createNodeWorkspaceFiles({
    root,
    ...(maxReadBytes === undefined ? {} : { maxReadBytes }),
    ...(hostPaths === undefined ? {} : { hostPaths }),
  });
  return createFilesBundle({ workspaceRoot: resolve(root), ...rest, files });
}
