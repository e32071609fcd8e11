import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { HEADER, SECTION, limits, module, section, vector } from '../__fixtures__/wasm-bytes.js';
import { wat } from '../__fixtures__/wat.js';
import { capMemory } from './cap-memory.js';
import { inspectModule } from './inspect-module.js';
import { validateImports } from './validate-imports.js';
import { readWasmModule, type WasmReadResult } from './wasm-reader.js';

const goldenUrl = new URL('../../../guests/corpus/golden/wat-protocol/plugin.wasm', import.meta.url);
let valid: Uint8Array<ArrayBuffer>[] = [];

beforeAll(async () => {
  valid = [
    Uint8Array.from(await readFile(goldenUrl)),
    await wat(`(module
      (import "extism:host/env" "alloc" (func (param i64) (result i64)))
      (import "env" "t" (table 1 funcref))
      (import "env" "g" (global i32))
      (memory (export "memory") 1)
      (func (export "run") (drop (memory.grow (i32.const 1)))))`),
  ];
});

function expectTyped(result: WasmReadResult, bytes: Uint8Array): void {
  if (result.ok) return;
  const { problem } = result;
  expect(problem.code).toBe('invalid_module');
  expect(Number.isInteger(problem.offset)).toBe(true);
  expect(problem.offset).toBeGreaterThanOrEqual(0);
  expect(problem.offset).toBeLessThanOrEqual(bytes.length);
  expect(problem.message).toMatch(/^Invalid WebAssembly module: .+ at offset \d+ \(in the .+\)$/);
}

/** Every function that takes module bytes: none may throw on any input. */
function checkAll(bytes: Uint8Array): WasmReadResult {
  const result = readWasmModule(bytes);
  expectTyped(result, bytes);
  const inspection = inspectModule(bytes);
  expect(inspection.ok).toBe(result.ok);
  if (inspection.ok) validateImports(inspection.inspection);
  for (const policy of ['cap', 'refuse'] as const) {
    const capped = capMemory(bytes, { maxPages: 16, onUnbounded: policy, onTooLarge: policy });
    if (capped.action === 'capped') {
      const reread = readWasmModule(capped.bytes);
      expect(reread.ok).toBe(true);
      if (reread.ok) expect(reread.module.memories[0]?.limits.max).toBe(16);
    }
  }
  return result;
}

type Mutation =
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array<ArrayBuffer> {
  let out = [...bytes];
  for (const change of mutations) {
    const at = out.length === 0 ? 0 : change.at % out.length;
    if (change.kind === 'set') out[at] = change.byte;
    else if (change.kind === 'insert') out.splice(at, 0, ...change.bytes);
    else if (change.kind === 'delete') out.splice(at, change.count);
    else out = out.slice(0, at);
  }
  return Uint8Array.from(out);
}

describe('readWasmModule never throws', () => {
  it('on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => void checkAll(bytes)),
      { numRuns: 500 },
    );
  });

  it('on arbitrary bytes after a valid header', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 256 }),
        (tail) => void checkAll(Uint8Array.from([...HEADER, ...tail])),
      ),
      { numRuns: 1000 },
    );
  });

  it('on arbitrary mutations of valid modules, and never refuses what the engine accepts', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (pick, mutations) => {
        const base = valid[pick % valid.length];
        if (base === undefined) throw new Error('fixtures not loaded');
        const bytes = mutate(base, mutations);
        const result = checkAll(bytes);
        if (WebAssembly.validate(bytes)) expect(result.ok).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('memory limits', () => {
  const pages = fc.integer({ min: 0, max: 65536 });
  const spec = fc
    .tuple(pages, fc.option(pages, { nil: undefined }))
    .map(([a, b]) => (b === undefined ? { min: a } : { min: Math.min(a, b), max: Math.max(a, b) }));

  it('round-trip through the reader', () => {
    fc.assert(
      fc.property(spec, (memory) => {
        const result = readWasmModule(module(section(SECTION.memory, vector([limits(memory)]))));
        expect(result.ok && result.module.memories[0]?.limits).toEqual({
          min: memory.min,
          max: memory.max,
          shared: false,
          memory64: false,
        });
      }),
    );
  });

  it('after capMemory never exceed the cap, and the module stays valid', () => {
    fc.assert(
      fc.property(spec, fc.integer({ min: 0, max: 65536 }), (memory, maxPages) => {
        const bytes = module(section(SECTION.memory, vector([limits(memory)])));
        const result = capMemory(bytes, { maxPages, onUnbounded: 'cap', onTooLarge: 'cap' });
        if (memory.min > maxPages) {
          expect(result).toMatchObject({ action: 'refused', problem: { reason: 'minimum_above_cap' } });
          return;
        }
        expect(result.ok).toBe(true);
        expect(result.effectiveMax).toBeLessThanOrEqual(maxPages);
        expect(WebAssembly.validate(result.bytes)).toBe(true);
        const reread = readWasmModule(result.bytes);
        expect(reread.ok && reread.module.memories[0]?.limits.max).toBe(result.effectiveMax);
      }),
    );
  });
});
