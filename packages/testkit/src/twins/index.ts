// In-memory twins of every host service, for tests and the harness. Named one by one: helpers stay private.
export {
  createMemoryFsBundle,
  createMemoryWorkspaceFiles,
  MEMORY_WORKSPACE_ROOT,
  type MemoryFsBundleOptions,
  type MemoryWorkspaceFiles,
  type MemoryWorkspaceFilesOptions,
} from './files.js';
export {
  createMemoryKeyValueStore,
  createMemorySecretStore,
  type MemoryKeyValueStore,
  type MemorySecretStore,
  type StoredEntry,
} from './storage.js';
export {
  createMemoryNamespaceStore,
  type MemoryNamespaceStore,
  type NamespaceSnapshot,
} from './namespaces.js';
export {
  createManualClock,
  createMemoryBasics,
  createMemoryEventBus,
  createMemoryLogSink,
  createStaticRuntimeContext,
  type ManualClock,
  type MemoryBasics,
  type MemoryBasicsOptions,
  type MemoryEventBus,
  type MemoryLogSink,
  type StaticRuntimeContext,
} from './basics.js';
export { createRouteTableTransport, type Route, type RouteAnswer, type RouteTableTransport } from './http.js';
export {
  createScriptedWasiRunner,
  type ScriptedWasiRunner,
  type WasiScript,
  type WasiScriptAnswer,
} from './wasi.js';
export {
  createManualTimers,
  createMemoryWsServer,
  type ManualTimers,
  type MemoryWsServer,
  type MemoryWsServerOptions,
  type MemoryWsSocket,
} from './ws.js';
