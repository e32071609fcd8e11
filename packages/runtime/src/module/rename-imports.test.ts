import { describe, expect, it } from 'vitest';
import { wat } from '../__fixtures__/wat.js';
import { renameImportModule } from './rename-imports.js';
import { readWasmModule } from './wasm-reader.js';

const importsOf = (bytes: Uint8Array) => {
  const read = readWasmModule(bytes);
  if (!read.ok) throw new Error(read.problem.message);
  return read.module.imports.map(({ module, name, kind }) => `${module}.${name}:${kind}`);
};

describe('renameImportModule', () => {
  it('moves every import of one module to another, keeping names, kinds, order and the rest', async () => {
    const bytes = await wat(`(module
      (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
      (import "extism:host/env" "alloc" (func (param i64) (result i64)))
      (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
      (import "env" "g" (global i32))
      (memory (export "memory") 1 2)
      (func (export "run") (result i32) (i32.const 7)))`);
    const renamed = renameImportModule(bytes, 'wasi_snapshot_preview1', 'plinth:wasi');
    expect(importsOf(renamed)).toEqual([
      'plinth:wasi.fd_write:func',
      'extism:host/env.alloc:func',
      'plinth:wasi.proc_exit:func',
      'env.g:global',
    ]);
    // Still a module the engine compiles, with the same exports.
    const module = await WebAssembly.compile(Uint8Array.from(renamed));
    expect(WebAssembly.Module.exports(module).map((entry) => entry.name)).toEqual(['memory', 'run']);
  });

  it('answers the input itself when nothing imports from the module', async () => {
    const bytes = await wat(`(module (import "env" "f" (func)))`);
    expect(renameImportModule(bytes, 'wasi_snapshot_preview1', 'plinth:wasi')).toBe(bytes);
  });
});
