// The module inspection layer: what the host checks in a module's bytes before any engine sees them.
export {
  MODULE_PROBLEM_CODES,
  type ModuleProblemCode,
  type ModuleProblem,
  type InvalidModuleProblem,
  type WasmMalformation,
  type ImportProblem,
  type ImportRefusal,
  type MemoryRefusedProblem,
  type MemoryRefusal,
  type ModuleTooLargeProblem,
  type WasmExternalKind,
} from './module/module-problem.js';
export {
  readWasmModule,
  type WasmReadResult,
  type WasmModuleReading,
  type WasmSection,
  type WasmImport,
  type WasmExport,
  type WasmLimits,
  type WasmMemoryDefinition,
} from './module/wasm-reader.js';
export {
  inspectModule,
  type InspectModuleResult,
  type ModuleInspection,
  type MemoryInspection,
} from './module/inspect-module.js';
export {
  validateImports,
  EXTISM_KERNEL_NAMESPACE,
  WASI_NAMESPACE,
  type ImportPolicy,
  type ImportValidation,
} from './module/validate-imports.js';
export {
  capMemory,
  MAX_WASM32_PAGES,
  type CapMemoryOptions,
  type CapMemoryResult,
} from './module/cap-memory.js';
export type { MeteringProblem } from './module/module-problem.js';
export { checkModuleSize, type ModuleSizeResult } from './module/check-module-size.js';
export { checkWasiCommand } from './module/check-wasi-command.js';

// Host functions: the engine registers a bundle's handlers (from @plinth/host-kit) for every guest, with
// "not available" stubs for the rest. The bundle contract's types are re-exported for openPlugin's options.
export type { CallReceipt, HostBundle, HostCallContext } from '@plinth/host-kit';
export { createHostFunctions, type HostCallState, type HostFunctionsOptions } from './host/host-functions.js';

// Limits, call errors and execution lanes.
export { DEFAULT_LIMITS, resolveLimits, type PluginLimits } from './limits.js';
export { LIMIT_CODES, type LimitCode } from './limit-codes.js';
export { describeCall, toCallError } from './call-errors.js';
export type {
  Lane,
  LaneCallResult,
  LaneFactory,
  LaneKind,
  LaneOptions,
  LaneOutputDecoder,
  LinkedModule,
} from './lanes/lane.js';
export { createInThreadLane } from './lanes/in-thread-lane.js';
export {
  GuestExit,
  type WasiFactory,
  type WasiMount,
  type WasiSystem,
  type WasiSystemOptions,
} from './lanes/wasi.js';

// Fuel: instruction budgets for metered guests (openPlugin's `fuel: true`).
export { meterModule, type MeteringStats, type MeterResult } from './module/meter/meter-module.js';
export { METERING_VERSION } from './module/meter/fuel-abi.js';
export { isMetered } from './lanes/fuel-account.js';
export { importedHostFunctions, importsExtismHttp } from './module/imported-host-functions.js';
export { loadExtism } from './extism-module.js';

// Loading: sources, checks before any instance, the compiled-module cache, and instance pools.
export { LoadError } from './loader/load-error.js';
export {
  readModuleSource,
  type ModuleSource,
  type ReadSource,
  type ReadSourceOptions,
} from './loader/module-source.js';
export {
  loadModule,
  type LoadModuleOptions,
  type LoadedModule,
  type LoadedMemory,
} from './loader/load-module.js';
export {
  createCompileCache,
  defaultCompileCache,
  sha256Hex,
  DEFAULT_COMPILE_CACHE_ENTRIES,
  type CompileCache,
  type CompileCacheOptions,
  type CompileCacheStats,
} from './loader/compile-cache.js';
export {
  createInstancePool,
  RECYCLE_CODES,
  type InstancePool,
  type InstancePoolOptions,
  type InstancePoolStats,
} from './pool/instance-pool.js';

// The protocol layer: the load sequence and the guest exports of PROTOCOL.md on top of a lane.
export {
  ProtocolPlugin,
  openProtocolPlugin,
  type ProtocolPluginOptions,
} from './protocol/protocol-plugin.js';
export {
  DEFAULT_MANIFEST_MAX_BYTES,
  readManifest,
  type ManifestReading,
  type ReadManifestOptions,
} from './protocol/load-manifest.js';
export { commandErrorKind, type CommandErrorKind } from './protocol/guest-output.js';
export type { ProtocolLog, ProtocolLogEntry, ProtocolLogLevel } from './protocol/protocol-log.js';

// The registry: load, unload, hot reload, routing, cross-plugin commands and the failure policy.
export {
  PluginRegistry,
  type CallRecord,
  type PluginInfo,
  type PluginRegistryOptions,
  type PluginState,
  type RegistryChange,
  type RegistryLogEntry,
} from './registry/plugin-registry.js';
export type {
  CommandCallOptions,
  ExportCallOptions,
  PluginHandle,
  PluginOpener,
} from './registry/plugin-handle.js';
export { genericPluginHandle, openGenericPluginHandle } from './registry/generic-plugin-handle.js';
export { crossPluginRefusal, type CrossPluginRefusal } from './registry/cross-plugin-rules.js';
export { DEFAULT_FAILURE_POLICY, isPluginFault, type FailurePolicy } from './registry/failure-policy.js';

// The front door: load, check and open a plugin in one call.
export {
  openPlugin,
  openProtocolPluginFrom,
  type GenericCallOptions,
  type GenericPlugin,
  type OpenPluginOptions,
  type OpenProtocolPluginOptions,
} from './open-plugin.js';

// Any Extism plugin: manifests, the app's own host functions, Extism's http_request, guest logs.
export {
  extismManifestSchema,
  limitsFromManifest,
  type ExtismManifest,
  type ExtismWasm,
} from './generic/extism-manifest.js';
export {
  EXTISM_LOG_LEVELS,
  type ExtismLogLevel,
  type ExtismLogLine,
  type ExtismLogSink,
} from './generic/guest-functions.js';
export {
  type BlockView,
  type UserCallContext,
  type UserFunctions,
  type UserHostFunction,
  type WasmValue,
} from './generic/user-functions.js';
export { allowedHostMatcher } from './generic/extism-http.js';

// Pools of any instance type, and a plugin served by a pool of its own instances behind one PluginHandle.
export { createPool, isRecycleError, type Pool, type PoolOptions, type PoolStats } from './pool/pool.js';
export { openPooledPlugin, type PooledPlugin, type PooledPluginOptions } from './registry/pooled-plugin.js';

// Options schemas (zod) of the factories above, for adapters whose options extend them (`.omit`, `.extend`).
// Every factory checks its options with its schema first and throws an OptionsError (`invalid_options`).
export { limitOverridesSchema } from './limits.js';
