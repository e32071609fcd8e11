import {
  createWasiBundle as createKitWasiBundle,
  DEFAULT_WASI_LIMITS,
  type CapabilityBundle,
  type WasiBundleOptions as KitWasiBundleOptions,
} from '@plinth/host-kit';
import { checkOptions } from '@plinth/protocol';
import { DEFAULT_LIMITS } from '@plinth/runtime';
import { createNodeWasiRunner } from './node-wasi-runner.js';
import type { NodeWasiRunnerOptions } from './run-wasi-module.js';
import { wasiBundleOptionsSchema } from './wasi-options.js';

/**
 * What host-node's `createWasiBundle` takes: the host-kit bundle's options without a runner (its limits
 * default to the runtime's `memoryMaxPages` and `moduleMaxBytes`), plus the Node runner's.
 */
export interface WasiBundleOptions extends Omit<KitWasiBundleOptions, 'runner'>, NodeWasiRunnerOptions {}

/** The default `timeoutMs` of `host_run_wasi_module` (host-kit's `DEFAULT_WASI_LIMITS.timeoutMs`, 4 s). */
export const DEFAULT_WASI_TIMEOUT_MS = DEFAULT_WASI_LIMITS.timeoutMs;
/** The default `maxOutputBytes`: 16 MiB of stdout, stderr and output files per run. */
export const DEFAULT_WASI_OUTPUT_MAX_BYTES = DEFAULT_WASI_LIMITS.maxOutputBytes;

/**
 * `host_run_wasi_module` over `node:wasi`: host-kit's `createWasiBundle` with `createNodeWasiRunner`. Its
 * handler is async (a worker runs the module), so it works in the isolated lane only; the in-thread lane
 * answers it with an internal error.
 */
export function createWasiBundle(options: WasiBundleOptions): CapabilityBundle<'wasi'> {
  checkOptions('createWasiBundle', wasiBundleOptionsSchema, options);
  const { tempRoot, resourceLimits, onTempDir, ...bundleOptions } = options;
  return createKitWasiBundle({
    ...bundleOptions,
    memoryMaxPages: options.memoryMaxPages ?? DEFAULT_LIMITS.memoryMaxPages,
    moduleMaxBytes: options.moduleMaxBytes ?? DEFAULT_LIMITS.moduleMaxBytes,
    runner: createNodeWasiRunner({ tempRoot, resourceLimits, onTempDir }),
  });
}
