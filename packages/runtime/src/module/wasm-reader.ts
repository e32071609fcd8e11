import { ByteCursor, WasmDecodeError } from './byte-cursor.js';
import type { InvalidModuleProblem, WasmExternalKind } from './module-problem.js';
import { hex, readLimits, readReferenceType, readValueType, type WasmLimits } from './wasm-types.js';

export type { WasmLimits };

/** One entry of the module's import section. */
export interface WasmImport {
  module: string;
  name: string;
  kind: WasmExternalKind;
  /** Present for imported memories and tables. */
  limits?: WasmLimits;
}

/** One entry of the module's export section; `index` is into the index space of its kind. */
export interface WasmExport {
  name: string;
  kind: WasmExternalKind;
  index: number;
}

/** A memory defined in the memory section, with the byte range of its limits (for rewriting them). */
export interface WasmMemoryDefinition {
  limits: WasmLimits;
  offset: number;
  end: number;
}

/** Where one section sits in the module's bytes (offsets from the start of the module). */
export interface WasmSection {
  id: number;
  name: string;
  /** Offset of the section id byte. */
  offset: number;
  /** Offset of the first content byte; the content ends at `end`. */
  contentOffset: number;
  end: number;
  /** For custom sections (id 0), their name. */
  customName?: string;
}

/** What `readWasmModule` read from a well-formed module, in the order the module lists it. */
export interface WasmModuleReading {
  sections: readonly WasmSection[];
  imports: readonly WasmImport[];
  memories: readonly WasmMemoryDefinition[];
  exports: readonly WasmExport[];
  customSections: readonly string[];
}

/** The answer of `readWasmModule`: the reading, or the first malformation found. */
export type WasmReadResult =
  { ok: true; module: WasmModuleReading } | { ok: false; problem: InvalidModuleProblem };

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const VERSION = [0x01, 0x00, 0x00, 0x00];
// The version field of a component-model binary (layer 1), worth naming because it is a common mistake.
const COMPONENT_VERSION = [0x0d, 0x00, 0x01, 0x00];

const SECTION_NAMES = [
  'custom',
  'type',
  'import',
  'function',
  'table',
  'memory',
  'global',
  'export',
  'start',
  'element',
  'code',
  'data',
  'data count',
  'tag',
] as const;

// Position of each non-custom section id in the order the binary format requires (tag sits after
// memory, data count before code).
export const SECTION_RANK: Readonly<Record<number, number>> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 6,
  6: 7,
  7: 8,
  8: 9,
  9: 10,
  12: 11,
  10: 12,
  11: 13,
};

const EXTERNAL_KINDS: readonly WasmExternalKind[] = ['func', 'table', 'memory', 'global', 'tag'];

/**
 * Reads the parts of a WebAssembly binary the host must check before instantiating it: imports,
 * memories, exports and custom section names. Other sections are bounds-checked and skipped. Never
 * throws on malformed input: it returns a problem naming what is wrong and where.
 */
export function readWasmModule(bytes: Uint8Array): WasmReadResult {
  try {
    return { ok: true, module: readModule(bytes) };
  } catch (error) {
    if (!(error instanceof WasmDecodeError)) throw error;
    return {
      ok: false,
      problem: {
        code: 'invalid_module',
        reason: error.reason,
        message: `Invalid WebAssembly module: ${error.message}`,
        offset: error.offset,
      },
    };
  }
}

function readModule(bytes: Uint8Array): WasmModuleReading {
  // Cursors are annotated so that `cursor.fail(...)` (which returns never) narrows types after it.
  const header: ByteCursor = new ByteCursor(bytes, 0, bytes.length, 'module header');
  for (const expected of MAGIC) {
    const byte = header.u8('the magic number \\0asm');
    if (byte !== expected) {
      header.fail('bad_magic', 'not a WebAssembly binary: the magic number \\0asm is missing', 0);
    }
  }
  const version = [0, 1, 2, 3].map(() => header.u8('the version'));
  if (!VERSION.every((byte, index) => version[index] === byte)) {
    const component = COMPONENT_VERSION.every((byte, index) => version[index] === byte);
    header.fail(
      'unsupported_version',
      component
        ? 'this is a WebAssembly component, not a core module'
        : `unsupported binary version ${version.map(hex).join(' ')} (expected 01 00 00 00)`,
      4,
    );
  }

  const reading = {
    sections: [] as WasmSection[],
    imports: [] as WasmImport[],
    memories: [] as WasmMemoryDefinition[],
    exports: [] as WasmExport[],
    customSections: [] as string[],
  };
  const body: ByteCursor = new ByteCursor(bytes, 8, bytes.length, 'module');
  let lastRank = 0;
  let lastId = 0;
  while (!body.atEnd()) {
    const offset = body.pos;
    const id = body.u8('a section id');
    const name = SECTION_NAMES[id];
    if (name === undefined) body.fail('unknown_section', `unknown section id ${id}`, offset);
    const rank = SECTION_RANK[id];
    if (rank !== undefined) {
      if (rank === lastRank) body.fail('duplicate_section', `a second ${name} section`, offset);
      if (rank < lastRank) {
        const previous = SECTION_NAMES[lastId] ?? 'previous';
        body.fail('section_out_of_order', `the ${name} section comes after the ${previous} section`, offset);
      }
      lastRank = rank;
      lastId = id;
    }
    const size = body.u32(`the size of the ${name} section`);
    const contentOffset = body.pos;
    if (size > body.remaining) {
      body.fail(
        'unexpected_end',
        `the ${name} section declares ${size} bytes but only ${body.remaining} remain`,
        offset,
      );
    }
    const content = body.sub(size, `${name} section`);
    const section: WasmSection = { id, name, offset, contentOffset, end: content.end };
    if (id === 0) {
      section.customName = content.name('the custom section name');
      reading.customSections.push(section.customName);
      content.pos = content.end; // custom payloads are opaque
    } else if (id === 2) {
      readImports(content, reading.imports);
    } else if (id === 5) {
      readMemories(content, reading.memories);
    } else if (id === 7) {
      readExports(content, reading.exports);
    } else {
      content.pos = content.end;
    }
    if (!content.atEnd()) {
      content.fail('section_size_mismatch', `${content.remaining} unread bytes at the end of the section`);
    }
    reading.sections.push(section);
  }
  return reading;
}

function readImports(cursor: ByteCursor, into: WasmImport[]): void {
  const count = cursor.u32('the import count');
  for (let index = 0; index < count; index += 1) {
    const module = cursor.name(`the module name of import ${index}`);
    const name = cursor.name(`the name of import ${index}`);
    const kindOffset = cursor.pos;
    const kindByte = cursor.u8(`the kind of import ${index}`);
    const kind = EXTERNAL_KINDS[kindByte];
    if (kind === undefined) {
      cursor.fail('unknown_import_kind', `import ${index} has unknown kind ${hex(kindByte)}`, kindOffset);
    }
    const entry: WasmImport = { module, name, kind };
    if (kind === 'func') {
      cursor.u32(`the type index of import ${index}`);
    } else if (kind === 'table') {
      readReferenceType(cursor, `the element type of import ${index}`);
      entry.limits = readLimits(cursor, 'table', `import ${index}`);
    } else if (kind === 'memory') {
      entry.limits = readLimits(cursor, 'memory', `import ${index}`);
    } else if (kind === 'global') {
      readValueType(cursor, `the type of import ${index}`);
      const mutOffset = cursor.pos;
      const mutability = cursor.u8(`the mutability of import ${index}`);
      if (mutability > 1) {
        cursor.fail('invalid_mutability', `import ${index} has mutability ${hex(mutability)}`, mutOffset);
      }
    } else {
      const attributeOffset = cursor.pos;
      const attribute = cursor.u8(`the attribute of import ${index}`);
      if (attribute !== 0) {
        cursor.fail(
          'invalid_tag_attribute',
          `import ${index} has tag attribute ${hex(attribute)}`,
          attributeOffset,
        );
      }
      cursor.u32(`the type index of import ${index}`);
    }
    into.push(entry);
  }
}

function readMemories(cursor: ByteCursor, into: WasmMemoryDefinition[]): void {
  const count = cursor.u32('the memory count');
  for (let index = 0; index < count; index += 1) {
    const offset = cursor.pos;
    const limits = readLimits(cursor, 'memory', `memory ${index}`);
    into.push({ limits, offset, end: cursor.pos });
  }
}

function readExports(cursor: ByteCursor, into: WasmExport[]): void {
  const count = cursor.u32('the export count');
  for (let index = 0; index < count; index += 1) {
    const name = cursor.name(`the name of export ${index}`);
    const kindOffset = cursor.pos;
    const kindByte = cursor.u8(`the kind of export ${index}`);
    const kind = EXTERNAL_KINDS[kindByte];
    if (kind === undefined) {
      cursor.fail('unknown_export_kind', `export ${index} has unknown kind ${hex(kindByte)}`, kindOffset);
    }
    into.push({ name, kind, index: cursor.u32(`the index of export ${index}`) });
  }
}
