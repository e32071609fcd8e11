import { checkOptions } from '@plinth/protocol';
import type { WasiRunner } from '@plinth/host-kit';
import { checkWasiCommand } from '@plinth/runtime';
import { runWasiModule, type NodeWasiRunnerOptions } from './run-wasi-module.js';
import { nodeWasiRunnerOptionsSchema } from './wasi-options.js';

/**
 * A `WasiRunner` on `node:wasi` (preview1): the module is checked (WASI imports only, a `_start` and a
 * memory export) and its memory capped, then run in a worker thread with a fresh temp directory as its
 * root. `node:wasi` is not a security boundary; the worker, its timeout, the memory cap, path checks,
 * real-path checks on every output file and an fd sweep are what the host adds.
 */
export function createNodeWasiRunner(options: NodeWasiRunnerOptions = {}): WasiRunner {
  checkOptions('createNodeWasiRunner', nodeWasiRunnerOptionsSchema, options);
  return {
    async run(run) {
      const module = checkWasiCommand(run);
      if (!(module instanceof Uint8Array)) return module;
      return runWasiModule({ ...run, module }, options);
    },
  };
}
