import { describe, expect, it } from 'vitest';
import { wat } from '../__fixtures__/wat.js';
import {
  HEADER,
  SECTION,
  importFunc,
  importMemory,
  leb,
  limits,
  module,
  name,
  section,
  vector,
} from '../__fixtures__/wasm-bytes.js';
import { readWasmModule } from './wasm-reader.js';

function problemOf(bytes: Uint8Array | readonly number[]) {
  const result = readWasmModule(Uint8Array.from(bytes));
  if (result.ok) throw new Error('expected the module to be refused');
  return result.problem;
}

function readingOf(bytes: Uint8Array) {
  const result = readWasmModule(bytes);
  if (!result.ok) throw new Error(result.problem.message);
  return result.module;
}

describe('readWasmModule: well-formed modules', () => {
  it('reads an empty module', () => {
    expect(readingOf(module())).toEqual({
      sections: [],
      imports: [],
      memories: [],
      exports: [],
      customSections: [],
    });
  });

  it('reads imports of every kind, exports of every kind and the memory limits', async () => {
    const bytes = await wat(
      `(module
        (type $t (func (param i32)))
        (import "extism:host/env" "alloc" (func (param i64) (result i64)))
        (import "extism:host/user" "host_log" (func (param i64)))
        (import "env" "table" (table 2 10 funcref))
        (import "env" "g" (global (mut i32)))
        (import "env" "e" (tag (param i32)))
        (import "env" "memory" (memory 1 4))
        (global $x i32 (i32.const 7))
        (tag $own_tag (param i32))
        (func $f (export "run"))
        (export "mem" (memory 0))
        (export "tbl" (table 0))
        (export "x" (global $x))
        (export "tag" (tag $own_tag)))`,
      { exceptions: true },
    );
    const reading = readingOf(bytes);
    expect(reading.imports).toEqual([
      { module: 'extism:host/env', name: 'alloc', kind: 'func' },
      { module: 'extism:host/user', name: 'host_log', kind: 'func' },
      {
        module: 'env',
        name: 'table',
        kind: 'table',
        limits: { min: 2, max: 10, shared: false, memory64: false },
      },
      { module: 'env', name: 'g', kind: 'global' },
      { module: 'env', name: 'e', kind: 'tag' },
      {
        module: 'env',
        name: 'memory',
        kind: 'memory',
        limits: { min: 1, max: 4, shared: false, memory64: false },
      },
    ]);
    expect(reading.memories).toEqual([]);
    expect(reading.exports).toEqual([
      { name: 'run', kind: 'func', index: 2 },
      { name: 'mem', kind: 'memory', index: 0 },
      { name: 'tbl', kind: 'table', index: 0 },
      { name: 'x', kind: 'global', index: 1 },
      { name: 'tag', kind: 'tag', index: 1 },
    ]);
    expect(reading.sections.map((entry) => entry.name)).toEqual([
      'type',
      'import',
      'function',
      'tag',
      'global',
      'export',
      'code',
    ]);
  });

  it('reads shared and memory64 limits', async () => {
    const shared = readingOf(await wat('(module (memory 1 8 shared))', { threads: true }));
    expect(shared.memories[0]?.limits).toEqual({ min: 1, max: 8, shared: true, memory64: false });
    const wide = readingOf(await wat('(module (memory i64 1 70000))', { memory64: true }));
    expect(wide.memories[0]?.limits).toEqual({ min: 1, max: 70000, shared: false, memory64: true });
    const unbounded = readingOf(module(section(SECTION.memory, vector([limits({ min: 3 })]))));
    expect(unbounded.memories).toEqual([
      { limits: { min: 3, max: undefined, shared: false, memory64: false }, offset: 11, end: 13 },
    ]);
  });

  it('reads an imported table of a typed reference and a v128 global', () => {
    const table = [...name('env'), ...name('t'), 0x01, 0x63, 0x00, ...limits({ min: 1 })];
    const global = [...name('env'), ...name('v'), 0x03, 0x7b, 0x00];
    const reading = readingOf(module(section(SECTION.import, vector([table, global]))));
    expect(reading.imports.map((entry) => entry.kind)).toEqual(['table', 'global']);
  });

  it('reads custom section names anywhere, with the byte ranges of every section', () => {
    const bytes = module(
      section(SECTION.custom, [...name('name'), 1, 2, 3]),
      section(SECTION.memory, vector([limits({ min: 1, max: 2 })])),
      section(SECTION.custom, name('producers')),
    );
    const reading = readingOf(bytes);
    expect(reading.customSections).toEqual(['name', 'producers']);
    expect(reading.sections).toEqual([
      { id: 0, name: 'custom', offset: 8, contentOffset: 10, end: 18, customName: 'name' },
      { id: 5, name: 'memory', offset: 18, contentOffset: 20, end: 24 },
      { id: 0, name: 'custom', offset: 24, contentOffset: 26, end: 36, customName: 'producers' },
    ]);
    expect(reading.memories[0]).toMatchObject({ offset: 21, end: 24 });
  });
});

describe('readWasmModule: every malformed class, with its offset', () => {
  it.each([
    {
      what: 'not a wasm binary',
      bytes: [...new TextEncoder().encode('hello, world')],
      reason: 'bad_magic',
      offset: 0,
      message:
        'Invalid WebAssembly module: not a WebAssembly binary: the magic number \\0asm is missing at offset 0 (in the module header)',
    },
    {
      what: 'an empty input',
      bytes: [],
      reason: 'unexpected_end',
      offset: 0,
      message:
        'Invalid WebAssembly module: unexpected end of input while reading the magic number \\0asm at offset 0 (in the module header)',
    },
    {
      what: 'a header cut short',
      bytes: [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00],
      reason: 'unexpected_end',
      offset: 6,
      message:
        'Invalid WebAssembly module: unexpected end of input while reading the version at offset 6 (in the module header)',
    },
    {
      what: 'another binary version',
      bytes: [0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00],
      reason: 'unsupported_version',
      offset: 4,
      message:
        'Invalid WebAssembly module: unsupported binary version 0x02 0x00 0x00 0x00 (expected 01 00 00 00) at offset 4 (in the module header)',
    },
    {
      what: 'a component',
      bytes: [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00],
      reason: 'unsupported_version',
      offset: 4,
      message:
        'Invalid WebAssembly module: this is a WebAssembly component, not a core module at offset 4 (in the module header)',
    },
    {
      what: 'an unknown section id',
      bytes: [...HEADER, 14, 0],
      reason: 'unknown_section',
      offset: 8,
      message: 'Invalid WebAssembly module: unknown section id 14 at offset 8 (in the module)',
    },
    {
      what: 'a second memory section',
      bytes: [...HEADER, ...section(5, [0]), ...section(5, [0])],
      reason: 'duplicate_section',
      offset: 11,
      message: 'Invalid WebAssembly module: a second memory section at offset 11 (in the module)',
    },
    {
      what: 'an import section after the export section',
      bytes: [...HEADER, ...section(7, [0]), ...section(2, [0])],
      reason: 'section_out_of_order',
      offset: 11,
      message:
        'Invalid WebAssembly module: the import section comes after the export section at offset 11 (in the module)',
    },
    {
      what: 'a section larger than the module',
      bytes: [...HEADER, 5, 10, 1, 0],
      reason: 'unexpected_end',
      offset: 8,
      message:
        'Invalid WebAssembly module: the memory section declares 10 bytes but only 2 remain at offset 8 (in the module)',
    },
    {
      what: 'a section size that overflows a u32',
      bytes: [...HEADER, 5, 0xff, 0xff, 0xff, 0xff, 0x7f],
      reason: 'integer_overflow',
      offset: 13,
      message:
        'Invalid WebAssembly module: the size of the memory section (LEB128 u32 starting at offset 9) exceeds 32 bits at offset 13 (in the module)',
    },
    {
      what: 'a section with unread bytes',
      bytes: [...HEADER, ...section(5, [1, 0x00, 0x01, 0xff])],
      reason: 'section_size_mismatch',
      offset: 13,
      message:
        'Invalid WebAssembly module: 1 unread bytes at the end of the section at offset 13 (in the memory section)',
    },
    {
      what: 'an import section whose entries run past it',
      bytes: [...HEADER, ...section(2, [2, ...importFunc('a', 'b')]), ...section(5, [0])],
      reason: 'unexpected_end',
      offset: 17,
      message:
        'Invalid WebAssembly module: unexpected end of input while reading length of the module name of import 1 at offset 17 (in the import section)',
    },
    {
      what: 'a custom section without a name',
      bytes: [...HEADER, 0, 0],
      reason: 'unexpected_end',
      offset: 10,
      message:
        'Invalid WebAssembly module: unexpected end of input while reading length of the custom section name at offset 10 (in the custom section)',
    },
    {
      what: 'a custom section name that is not UTF-8',
      bytes: [...HEADER, ...section(0, [2, 0xff, 0xfe])],
      reason: 'invalid_utf8',
      offset: 11,
      message:
        'Invalid WebAssembly module: the custom section name is not valid UTF-8 at offset 11 (in the custom section)',
    },
    {
      what: 'an unknown import kind',
      bytes: [...HEADER, ...section(2, [1, ...name('env'), ...name('x'), 0x05, 0])],
      reason: 'unknown_import_kind',
      offset: 17,
      message:
        'Invalid WebAssembly module: import 0 has unknown kind 0x05 at offset 17 (in the import section)',
    },
    {
      what: 'an unknown export kind',
      bytes: [...HEADER, ...section(7, [1, ...name('run'), 0x09, 0])],
      reason: 'unknown_export_kind',
      offset: 15,
      message:
        'Invalid WebAssembly module: export 0 has unknown kind 0x09 at offset 15 (in the export section)',
    },
    {
      what: 'memory limits flags of an unsupported proposal',
      bytes: [...HEADER, ...section(5, [1, 0x08, 1, 16])],
      reason: 'invalid_limits',
      offset: 11,
      message:
        'Invalid WebAssembly module: memory 0 has unsupported memory limits flags 0x08 at offset 11 (in the memory section)',
    },
    {
      what: 'a shared table',
      bytes: [...HEADER, ...section(2, [1, ...name('env'), ...name('t'), 0x01, 0x70, 0x03, 1, 2])],
      reason: 'invalid_limits',
      offset: 19,
      message:
        'Invalid WebAssembly module: import 0 has unsupported table limits flags 0x03 at offset 19 (in the import section)',
    },
    {
      what: 'an unknown value type',
      bytes: [...HEADER, ...section(2, [1, ...name('env'), ...name('g'), 0x03, 0x40, 0x00])],
      reason: 'invalid_type',
      offset: 18,
      message:
        'Invalid WebAssembly module: the type of import 0 is unknown type 0x40 at offset 18 (in the import section)',
    },
    {
      what: 'a global mutability other than 0 or 1',
      bytes: [...HEADER, ...section(2, [1, ...name('env'), ...name('g'), 0x03, 0x7f, 0x02])],
      reason: 'invalid_mutability',
      offset: 19,
      message:
        'Invalid WebAssembly module: import 0 has mutability 0x02 at offset 19 (in the import section)',
    },
    {
      what: 'a tag attribute other than 0',
      bytes: [...HEADER, ...section(2, [1, ...name('env'), ...name('e'), 0x04, 0x01, 0x00])],
      reason: 'invalid_tag_attribute',
      offset: 18,
      message:
        'Invalid WebAssembly module: import 0 has tag attribute 0x01 at offset 18 (in the import section)',
    },
    {
      what: 'a memory64 limit beyond 2^53 - 1',
      bytes: [...HEADER, ...section(5, [1, 0x04, ...leb(2n ** 60n)])],
      reason: 'integer_overflow',
      offset: 12,
      message:
        'Invalid WebAssembly module: the minimum of memory 0 (1152921504606846976) is larger than 2^53 - 1 at offset 12 (in the memory section)',
    },
  ])('$what', ({ bytes, reason, offset, message }) => {
    expect(problemOf(bytes)).toEqual({ code: 'invalid_module', reason, offset, message });
  });

  it('refuses a memory import whose limits are cut short', () => {
    const bytes = module(
      section(SECTION.import, vector([importMemory('env', 'm', { min: 1, max: 2 }).slice(0, -1)])),
    );
    expect(problemOf(bytes)).toMatchObject({ reason: 'unexpected_end', offset: 20 });
  });

  it('refuses bytes that engines also refuse (cross-check with WebAssembly.validate)', () => {
    for (const bytes of [
      [...HEADER, 14, 0],
      [...HEADER, ...section(5, [0]), ...section(5, [0])],
    ]) {
      expect(WebAssembly.validate(Uint8Array.from(bytes))).toBe(false);
      expect(readWasmModule(Uint8Array.from(bytes)).ok).toBe(false);
    }
  });
});
