import { checkOptions } from '@plinth/protocol';
import type { WasiRun, WasiRunFailure, WasiRunner } from '@plinth/host-kit';
import { capMemory, inspectModule, WASI_NAMESPACE } from '@plinth/runtime';
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
      const module = checkModule(run);
      if (!(module instanceof Uint8Array)) return module;
      return runWasiModule({ ...run, module }, options);
    },
  };
}

/** The module to run, checked and memory-capped, or why not. */
function checkModule(run: WasiRun): Uint8Array | WasiRunFailure {
  const name = `module "${run.moduleKey}"`;
  const invalid = (message: string): WasiRunFailure => ({ failure: 'invalid_module', message });
  const inspected = inspectModule(run.module);
  if (!inspected.ok) return invalid(`${name} is not valid WebAssembly: ${inspected.problem.message}`);
  const foreign = inspected.inspection.imports.filter(
    (entry) => entry.module !== WASI_NAMESPACE || entry.kind !== 'func',
  );
  if (foreign.length > 0) {
    const names = foreign.map((entry) => `${entry.module}.${entry.name}`).join(', ');
    return invalid(`${name} imports ${names}; only ${WASI_NAMESPACE} functions are provided`);
  }
  const { exports } = inspected.inspection;
  const missing = [
    ['_start', 'func'],
    ['memory', 'memory'],
  ].filter(([export_, kind]) => !exports.some((entry) => entry.name === export_ && entry.kind === kind));
  if (missing.length > 0) {
    return invalid(
      `${name} is not a WASI command: it exports no ${missing.map(([export_]) => export_).join(' or ')}`,
    );
  }
  const capped = capMemory(run.module, {
    maxPages: run.memoryMaxPages,
    onUnbounded: 'cap',
    onTooLarge: 'cap',
  });
  if (!capped.ok) return invalid(`${name} was refused: ${capped.problem.message}`);
  return capped.bytes;
}
