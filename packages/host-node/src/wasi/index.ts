// @plinth/host-node/wasi: host_run_wasi_module over node:wasi (WASI preview1). The handler is async, so
// it works in the isolated lane only. node:wasi itself is not a security boundary (Node's docs say so):
// the host adds the worker and its timeout, the memory cap, a fresh root per run, path checks before any
// I/O, real-path checks on every output file, and an fd sweep; treat modules as semi-trusted anyway.
export {
  createWasiBundle,
  DEFAULT_WASI_OUTPUT_MAX_BYTES,
  DEFAULT_WASI_TIMEOUT_MS,
  type ReadPluginModule,
  type WasiBundleOptions,
} from './wasi-bundle.js';
export {
  runWasiModule,
  DEFAULT_WASI_RESOURCE_LIMITS,
  type WasiRunOptions,
  type WasiRunResult,
} from './run-wasi-module.js';
export { toSandboxPath, type SandboxPath } from './sandbox-path.js';
