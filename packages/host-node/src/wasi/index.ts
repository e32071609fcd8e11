// @plinth/host-node/wasi: host_run_wasi_module over node:wasi (WASI preview1): host-kit's bundle with a
// Node runner. The handler is async, so it works in the isolated lane only. node:wasi itself is not a
// security boundary (Node's docs say so): the host adds the worker and its timeout, the memory cap, a
// fresh root per run, path checks before any I/O, real-path checks on every output file, and an fd sweep;
// treat modules as semi-trusted anyway.
export {
  createWasiBundle,
  DEFAULT_WASI_OUTPUT_MAX_BYTES,
  DEFAULT_WASI_TIMEOUT_MS,
  type WasiBundleOptions,
} from './wasi-bundle.js';
export { createNodeWasiRunner } from './node-wasi-runner.js';
export { DEFAULT_WASI_RESOURCE_LIMITS, type NodeWasiRunnerOptions } from './run-wasi-module.js';
export { toSandboxPath, type ReadPluginModule, type SandboxPath } from '@plinth/host-kit';
