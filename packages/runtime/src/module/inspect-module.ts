import type { InvalidModuleProblem } from './module-problem.js';
import { readWasmModule, type WasmExport, type WasmImport } from './wasm-reader.js';

/** The module's memory 0: the one Extism and the guest's loads and stores use. */
export interface MemoryInspection {
  source: 'defined' | 'imported' | 'none';
  /** In 64 KiB pages; 0 when there is no memory. */
  min: number;
  /** In 64 KiB pages; `undefined` when the module declares no maximum (or has no memory). */
  max?: number | undefined;
  memory64: boolean;
  shared: boolean;
  /** All memories, imported and defined (more than one needs the multi-memory proposal). */
  count: number;
}

/** A module's imports, exports, memory 0 and custom section names, as `inspectModule` found them. */
export interface ModuleInspection {
  imports: readonly WasmImport[];
  exports: readonly WasmExport[];
  memory: MemoryInspection;
  customSections: readonly string[];
  /** In bytes. */
  size: number;
}

/** The answer of `inspectModule`: the inspection, or why the bytes are not a well-formed module. */
export type InspectModuleResult =
  { ok: true; inspection: ModuleInspection } | { ok: false; problem: InvalidModuleProblem };

/** What the host needs to know about a module before it lets any engine compile it. */
export function inspectModule(bytes: Uint8Array): InspectModuleResult {
  const read = readWasmModule(bytes);
  if (!read.ok) return read;
  const { imports, exports, memories, customSections } = read.module;
  const importedMemories = imports.filter((entry) => entry.kind === 'memory');
  // Imported memories come first in the memory index space, so memory 0 is the first imported one.
  const first = importedMemories[0]?.limits ?? memories[0]?.limits;
  const memory: MemoryInspection =
    first === undefined
      ? { source: 'none', min: 0, max: undefined, memory64: false, shared: false, count: 0 }
      : {
          source: importedMemories.length > 0 ? 'imported' : 'defined',
          min: first.min,
          max: first.max,
          memory64: first.memory64,
          shared: first.shared,
          count: importedMemories.length + memories.length,
        };
  return { ok: true, inspection: { imports, exports, memory, customSections, size: bytes.length } };
}
