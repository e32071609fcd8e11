export {
  createNodeWorkspaceFiles,
  DEFAULT_MAX_READ_BYTES,
  TEMP_FILE_PREFIX,
  type NodeWorkspaceFilesOptions,
} from './node-workspace-files.js';
export type { HostPaths } from './host-paths.js';
export { createFsBundle, type FsBundleOptions } from './fs-bundle.js';
