// @plinth/host-kit: host capabilities as bundles of catalogue functions over service interfaces, with the
// permission checks, limits and wire answers every host shares. Runtime-neutral: no engine, no `node:`.

// The bundle contract: handlers keyed by catalogue name, what they receive and what they answer.
export {
  combineBundles,
  type CallReceipt,
  type HostAnswer,
  type HostBundle,
  type HostCallContext,
  type HostFunctionHandler,
} from './bundle/host-bundle.js';
// Capabilities: a capability's bundle must serve all its functions; coverage tells what a composed host serves.
export { coverage, uncovered, type CapabilityBundle, type CapabilityCoverage } from './bundle/coverage.js';
// Serving one call outside any lane, exactly as a lane serves it (for contract suites and wire tests).
export {
  serveBundleCall,
  type HostCallOutcome,
  type HostCallRecord,
  type ServedHostCall,
} from './bundle/serve-host-call.js';
// The permission checks every bundle makes before any I/O, for bundles of the app's own.
export {
  createPermissionGate,
  type PermissionGate,
  type PermissionGateOptions,
} from './bundle/permission-gate.js';
export { DEFAULT_BUNDLE_LIMITS, type BundleLimits } from './bundle-limits.js';

// Files: the workspace service and its bundle.
export {
  assertWorkspacePath,
  createFilesBundle,
  fileEventToGuestEvent,
  WORKSPACE_FILE_ERROR_REASONS,
  WorkspaceFileError,
  type FileEvent,
  type FilesBundleOptions,
  type WorkspaceEntry,
  type WorkspaceFileErrorOptions,
  type WorkspaceFileErrorReason,
  type WorkspaceFiles,
} from './capabilities/files.js';
// Storage and secrets: key-value stores with quotas.
export {
  createSecretsBundle,
  createStorageBundle,
  MAX_STORAGE_KEY_LENGTH,
  storageQuotaFromPolicy,
  type KeyValueStore,
  type MaybePromise,
  type QuotaFor,
  type QuotaPolicySource,
  type SecretsBundleOptions,
  type SecretStore,
  type StorageBundleOptions,
  type StoredValueBundleOptions,
  type SyncKeyValueStore,
  type SyncSecretStore,
} from './capabilities/storage.js';
// Namespaces: object stores with audiences.
export {
  createNamespacesBundle,
  NAMESPACE_BATCH_MAX_KEYS,
  NAMESPACE_LIST_LIMIT,
  type NamespaceObject,
  type NamespaceObjectInfo,
  type NamespaceObjectQuery,
  type NamespaceObjectWrite,
  type NamespaceRecord,
  type NamespacesBundleOptions,
  type NamespaceStore,
  type SyncNamespaceStore,
} from './capabilities/namespaces.js';
// HTTP: a transport and the bundle that checks, limits and follows redirects.
export {
  createHttpBundle,
  DEFAULT_MAX_REDIRECTS,
  type HttpBundleLimits,
  type HttpBundleOptions,
  type HttpTransport,
  type HttpTransportFailure,
  type HttpTransportFailureReason,
  type HttpTransportRequest,
  type HttpTransportResponse,
} from './capabilities/http.js';
// A fetch Response's body read no further than a byte limit (transports and downloads on fetch).
export { readCappedBody, type CappedBody } from './capabilities/capped-body.js';
// WASI: a runner of command modules and the bundle that checks, reads the module, limits and answers.
export {
  createWasiBundle,
  DEFAULT_WASI_LIMITS,
  type ReadPluginModule,
  type WasiBundleOptions,
  type WasiLimits,
} from './capabilities/wasi/wasi-bundle.js';
export type {
  WasiRun,
  WasiRunFailure,
  WasiRunFailureReason,
  WasiRunner,
  WasiRunOutput,
} from './capabilities/wasi/wasi-runner.js';
export { toSandboxPath, type SandboxPath } from './capabilities/wasi/sandbox-path.js';
// WebSocket: a connector and the bundle that checks, reconnects, queues frames for the guest and answers.
export {
  createWsBundle,
  DEFAULT_WS_MESSAGE_MAX_BYTES,
  DEFAULT_WS_QUEUED_MESSAGES,
  type WsBundle,
  type WsBundleEvent,
  type WsBundleOptions,
} from './capabilities/ws/ws-bundle.js';
export type {
  WsClosed,
  WsConnectFailure,
  WsConnection,
  WsConnectionListener,
  WsConnector,
  WsConnectRequest,
} from './capabilities/ws/ws-connector.js';
export {
  createDeliveryQueue,
  type DeliverToGuest,
  type DeliveryQueue,
} from './capabilities/ws/delivery-queue.js';
export {
  reconnectDelayMs,
  systemTimers,
  RECONNECT_BASE_MS,
  RECONNECT_FACTOR,
  RECONNECT_MAX_MS,
  type ReconnectTimers,
} from './capabilities/ws/reconnect-backoff.js';
// Basics: log, clock, events, runtime context, request files, cancellation. All synchronous.
export { createBasicBundle, type BasicBundleOptions } from './capabilities/basics/basic-bundle.js';
export {
  CancellationRegistry,
  createCancellationBundle,
  type CancellationBundleOptions,
  type CreateTokenOptions,
} from './capabilities/basics/cancellation.js';
export {
  createClockBundle,
  systemClock,
  type ClockBundleOptions,
  type HostClock,
} from './capabilities/basics/clock.js';
export {
  createEventsBundle,
  DEFAULT_EVENT_PAYLOAD_MAX_BYTES,
  type EmittedEvent,
  type EventsBundleOptions,
} from './capabilities/basics/events.js';
export {
  createLogBundle,
  DEFAULT_LOG_MESSAGE_MAX_LENGTH,
  DEFAULT_LOG_RATE_PER_SECOND,
  type GuestLogEntry,
  type GuestLogSink,
  type LogBundleOptions,
} from './capabilities/basics/log.js';
export type { NowMs, RateLimiterOptions } from './capabilities/basics/rate-limiter.js';
export {
  createRequestFileBundle,
  RequestFileScope,
  type RequestFileBundleOptions,
  type RequestFiles,
} from './capabilities/basics/request-file.js';
export {
  createRuntimeContextBundle,
  type RedactKey,
  type RuntimeContextBundleOptions,
  type RuntimeContextProvider,
} from './capabilities/basics/runtime-context.js';

// Options schemas (zod) of the factories above, for adapters whose options extend them (`.omit`,
// `.extend`). Every factory checks its options with its schema first and throws an OptionsError.
export { auditOption, bundleOption, checkerOption, positiveNumberOption } from './options/shared-options.js';
export {
  filesBundleOptionsSchema,
  httpBundleOptionsSchema,
  keyValueStoreOption,
  namespacesBundleOptionsSchema,
  namespaceStoreOption,
  SERVICE_METHODS,
  secretStoreOption,
  permissionGateOptionsSchema,
  quotaOptionsSchema,
  secretsBundleOptionsSchema,
  storageBundleOptionsSchema,
  wasiBundleOptionsSchema,
  wsBundleOptionsSchema,
} from './options/capability-options.js';
export {
  basicBundleOptionsSchema,
  cancellationBundleOptionsSchema,
  clockBundleOptionsSchema,
  eventsBundleOptionsSchema,
  logBundleOptionsSchema,
  requestFileBundleOptionsSchema,
  runtimeContextBundleOptionsSchema,
} from './options/basics-options.js';
