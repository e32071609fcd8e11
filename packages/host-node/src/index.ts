// @plinth/host-node: the composed Node host. Each capability also has its own subpath (`/fs`, `/http`,
// `/storage`, `/basics`, `/wasi`, `/ws`, `/directory`, `/policy`).
export { createNodeHost } from './host/create-node-host.js';
export type {
  NodeHost,
  NodeHostChange,
  NodeHostCommandOptions,
  NodeHostEvent,
  NodeHostInspection,
  NodeHostInspectOptions,
  NodeHostInstallOptions,
  NodeHostInstallResult,
  NodeHostInstallSource,
  NodeHostLogEntry,
  NodeHostObserver,
  NodeHostOptions,
  NodeHostPermissionRequest,
  NodeHostPlugin,
  NodeHostProgress,
  NodeHostReloadOptions,
  SignatureStatus,
} from './host/node-host-types.js';
