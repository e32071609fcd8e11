import { describe, expect, it } from 'vitest';
import { importMemory, moduleWith } from '../__fixtures__/wasm-bytes.js';
import { wat } from '../__fixtures__/wat.js';
import { inspectModule } from './inspect-module.js';

function inspect(bytes: Uint8Array) {
  const result = inspectModule(bytes);
  if (!result.ok) throw new Error(result.problem.message);
  return result.inspection;
}

describe('inspectModule', () => {
  it('describes imports, exports, the defined memory and the size', async () => {
    const bytes = await wat(`(module
      (import "extism:host/env" "alloc" (func (param i64) (result i64)))
      (memory (export "memory") 2 32)
      (func (export "manifest") (result i32) (i32.const 0)))`);
    expect(inspect(bytes)).toEqual({
      imports: [{ module: 'extism:host/env', name: 'alloc', kind: 'func' }],
      exports: [
        { name: 'memory', kind: 'memory', index: 0 },
        { name: 'manifest', kind: 'func', index: 1 },
      ],
      memory: { source: 'defined', min: 2, max: 32, memory64: false, shared: false, count: 1 },
      customSections: [],
      size: bytes.length,
    });
  });

  it('reports an unbounded memory with max undefined', async () => {
    expect(inspect(await wat('(module (memory 1))')).memory).toEqual({
      source: 'defined',
      min: 1,
      max: undefined,
      memory64: false,
      shared: false,
      count: 1,
    });
  });

  it('reports an imported memory as memory 0', () => {
    const bytes = moduleWith({
      imports: [importMemory('env', 'memory', { min: 3, max: 9, shared: true })],
      memory: { min: 1 },
    });
    expect(inspect(bytes).memory).toEqual({
      source: 'imported',
      min: 3,
      max: 9,
      memory64: false,
      shared: true,
      count: 2,
    });
  });

  it('reports a module without memory', async () => {
    expect(inspect(await wat('(module)')).memory).toEqual({
      source: 'none',
      min: 0,
      max: undefined,
      memory64: false,
      shared: false,
      count: 0,
    });
  });

  it('returns the reader problem for malformed bytes', () => {
    expect(inspectModule(Uint8Array.from([0, 0x61, 0x73]))).toEqual({
      ok: false,
      problem: {
        code: 'invalid_module',
        reason: 'unexpected_end',
        offset: 3,
        message:
          'Invalid WebAssembly module: unexpected end of input while reading the magic number \\0asm at offset 3 (in the module header)',
      },
    });
  });
});
