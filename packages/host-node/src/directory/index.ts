// @plinth/host-node/directory: plugin folders under a plugins root (PROTOCOL.md §6) — scan, load into a
// registry, install, uninstall and watch for hot reload, checking each module's signature every time.
export { PluginDirectoryError, type PluginDirectoryErrorReason } from './directory-error.js';
export {
  scanPluginsRoot,
  pluginDirectoryEntry,
  MODULE_FILE,
  MANIFEST_FILE,
  CONFIG_FILE,
  SIGNATURE_FILE,
  type PluginDirectoryEntry,
  type DirectoryProblem,
  type DirectoryProblemCode,
  type ScanResult,
} from './scan-plugins-root.js';
export { readManifestCache, writeManifestCache, MODULE_SHA256_FIELD } from './manifest-cache.js';
export { readConfigSidecar, writeConfigSidecar, type ConfigReading } from './config-sidecar.js';
export {
  pluginDirectoryOpener,
  type DirectoryOpenOptions,
  type ExtraOpenOptions,
} from './open-plugin-directory.js';
export type { SignatureCheckOptions } from './plugin-signature.js';
export {
  loadPluginDirectory,
  loadPluginFromDirectory,
  type LoadPluginDirectoryOptions,
  type LoadPluginDirectoryResult,
  type LoadPluginOptions,
  type LoadProgress,
} from './load-plugin-directory.js';
export type { InstallSource } from './read-install-source.js';
export {
  installPlugin,
  uninstallPlugin,
  type InstallPluginOptions,
  type InstallResult,
  type InstallStep,
  type UninstallPluginOptions,
} from './install-plugin.js';
export {
  watchPluginsRoot,
  type PluginsRootWatcher,
  type WatchEvent,
  type WatchPluginsRootOptions,
} from './watch-plugins-root.js';
export { writeFileAtomic } from './atomic-write.js';
export {
  EXTISM_DESCRIPTION_FILE,
  extismDescriptionSchema,
  genericToolsHandle,
  manifestOfDescription,
  readExtismDescription,
  scopeOfHostGlob,
  type ExtismDescription,
  type ExtismTool,
} from './generic-plugin.js';
