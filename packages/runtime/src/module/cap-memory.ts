import { encodeU32 } from './leb128.js';
import type { InvalidModuleProblem, MemoryRefusal, MemoryRefusedProblem } from './module-problem.js';
import { readWasmModule, type WasmSection } from './wasm-reader.js';

/** The wasm32 ceiling: 65536 pages of 64 KiB = 4 GiB. */
export const MAX_WASM32_PAGES = 65536;

/** How `capMemory` treats a memory with no maximum or one above the cap. */
export interface CapMemoryOptions {
  /** The cap, in 64 KiB pages (0 to 65536). */
  maxPages: number;
  /** A memory that declares no maximum: rewrite it to the cap, or refuse the module. */
  onUnbounded: 'cap' | 'refuse';
  /** A memory whose declared maximum is above the cap: rewrite it to the cap, or refuse the module. */
  onTooLarge: 'cap' | 'refuse';
}

interface CapMemoryOutcome {
  /** The maximum the module declares, in pages; `undefined` when it declares none or has no memory. */
  declaredMax: number | undefined;
  /** Why this action, in plain words. */
  reason: string;
}

/**
 * The answer of `capMemory`: the bytes to compile (unchanged or rewritten to the cap), or why it refused.
 */
export type CapMemoryResult<TBuffer extends ArrayBufferLike = ArrayBufferLike> =
  | (CapMemoryOutcome & {
      ok: true;
      action: 'unchanged' | 'capped';
      /** The module to compile: the input itself when unchanged, a rewritten copy when capped. */
      bytes: Uint8Array<TBuffer> | Uint8Array<ArrayBuffer>;
      /** The maximum the guest's memory can reach, in pages; `undefined` only when it has no memory. */
      effectiveMax: number | undefined;
    })
  | (CapMemoryOutcome & {
      ok: false;
      action: 'refused';
      /** The input, untouched. */
      bytes: Uint8Array<TBuffer>;
      effectiveMax: undefined;
      problem: MemoryRefusedProblem | InvalidModuleProblem;
    });

/**
 * Makes the module's own declared memory maximum enforce the host's cap. It has to be the module:
 * @extism/extism's `memory.maxPages` limits only host-side blocks, while an engine enforces the
 * maximum a module declares on every `memory.grow`.
 */
export function capMemory<TBuffer extends ArrayBufferLike>(
  bytes: Uint8Array<TBuffer>,
  options: CapMemoryOptions,
): CapMemoryResult<TBuffer> {
  const { maxPages } = options;
  if (!Number.isInteger(maxPages) || maxPages < 0 || maxPages > MAX_WASM32_PAGES) {
    throw new RangeError(`maxPages must be an integer from 0 to ${MAX_WASM32_PAGES}, got ${maxPages}`);
  }
  const read = readWasmModule(bytes);
  if (!read.ok) {
    const { problem } = read;
    return {
      ok: false,
      action: 'refused',
      bytes,
      declaredMax: undefined,
      effectiveMax: undefined,
      reason: problem.message,
      problem,
    };
  }
  const { imports, memories, sections } = read.module;
  const refuse = (
    reason: MemoryRefusal,
    declaredMax: number | undefined,
    why: string,
  ): CapMemoryResult<TBuffer> => {
    const message = `The module's memory cannot run under the cap of ${maxPages} pages: ${why}`;
    return {
      ok: false,
      action: 'refused',
      bytes,
      declaredMax,
      effectiveMax: undefined,
      reason: message,
      problem: { code: 'memory_refused', reason, message, declaredMax, limit: maxPages },
    };
  };

  const imported = imports.find((entry) => entry.kind === 'memory');
  if (imported !== undefined) {
    return refuse(
      'imported',
      imported.limits?.max,
      `it imports its memory ("${imported.module}" "${imported.name}") instead of defining it`,
    );
  }
  const [memory, ...others] = memories;
  if (memory === undefined) {
    return {
      ok: true,
      action: 'unchanged',
      bytes,
      declaredMax: undefined,
      effectiveMax: undefined,
      reason: 'the module has no memory',
    };
  }
  const { min, max, memory64, shared } = memory.limits;
  if (others.length > 0) return refuse('multiple_memories', max, `it defines ${memories.length} memories`);
  if (memory64) {
    return refuse('memory64', max, 'it uses a 64-bit memory (memory64), which this host does not run');
  }
  if (shared) return refuse('shared', max, 'it uses a shared memory, which this host does not run');
  if (min > maxPages) {
    return refuse('minimum_above_cap', max, `its minimum of ${min} pages is already above the cap`);
  }
  if (max !== undefined && max <= maxPages) {
    return {
      ok: true,
      action: 'unchanged',
      bytes,
      declaredMax: max,
      effectiveMax: max,
      reason: `its declared maximum of ${max} pages is within the cap`,
    };
  }
  const policy = max === undefined ? options.onUnbounded : options.onTooLarge;
  const declared =
    max === undefined ? 'it declares no maximum' : `its declared maximum of ${max} pages is above the cap`;
  if (policy === 'refuse') return refuse(max === undefined ? 'unbounded' : 'too_large', max, declared);

  const section = sections.find((entry) => entry.id === 5);
  // A defined memory implies a memory section; the reader guarantees both or neither.
  if (section === undefined) throw new Error('capMemory: memory without a memory section');
  const limits = Uint8Array.from([0x01, ...encodeU32(min), ...encodeU32(maxPages)]);
  return {
    ok: true,
    action: 'capped',
    bytes: rewriteSection(bytes, section, [
      bytes.subarray(section.contentOffset, memory.offset),
      limits,
      bytes.subarray(memory.end, section.end),
    ]),
    declaredMax: max,
    effectiveMax: maxPages,
    reason: `${declared}; rewritten to a maximum of ${maxPages} pages`,
  };
}

/** Replaces a section's content, re-encoding its size; every other byte is copied unchanged. */
export function rewriteSection(
  bytes: Uint8Array,
  section: WasmSection,
  content: readonly Uint8Array[],
): Uint8Array<ArrayBuffer> {
  const contentLength = content.reduce((sum, part) => sum + part.length, 0);
  const size = encodeU32(contentLength);
  const out = new Uint8Array(bytes.length - (section.end - section.offset) + 1 + size.length + contentLength);
  out.set(bytes.subarray(0, section.offset), 0);
  let at = section.offset;
  out[at] = section.id;
  at += 1;
  out.set(size, at);
  at += size.length;
  for (const part of content) {
    out.set(part, at);
    at += part.length;
  }
  out.set(bytes.subarray(section.end), at);
  return out;
}
