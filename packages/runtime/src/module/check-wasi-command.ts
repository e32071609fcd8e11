import type { WasiRun, WasiRunFailure } from '@plinth/host-kit';
import { capMemory } from './cap-memory.js';
import { inspectModule } from './inspect-module.js';
import { WASI_NAMESPACE } from './validate-imports.js';

/**
 * A `host_run_wasi_module` module, checked before a `WasiRunner` runs it: WASI preview 1 function imports
 * only, a `_start` and a memory export; answers its bytes with the memory maximum capped to
 * `memoryMaxPages`, or why it cannot run (`invalid_module`, worded for the guest). Every runner (Node's,
 * the browser's) checks with this, so guests read the same answers on every host.
 */
export function checkWasiCommand(
  run: Pick<WasiRun, 'module' | 'moduleKey' | 'memoryMaxPages'>,
): Uint8Array | WasiRunFailure {
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
  const missing = (
    [
      ['_start', 'func'],
      ['memory', 'memory'],
    ] as const
  ).filter(([export_, kind]) => !exports.some((entry) => entry.name === export_ && entry.kind === kind));
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
