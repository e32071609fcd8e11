import { ByteCursor } from './byte-cursor.js';
import { rewriteSection } from './cap-memory.js';
import { encodeU32 } from './leb128.js';
import { readWasmModule } from './wasm-reader.js';
import { readLimits, readReferenceType, readValueType } from './wasm-types.js';

const utf8 = new TextEncoder();

/**
 * Moves every import of module `from` to module `to` (same names, same types), so a host can serve a
 * namespace itself that the engine's SDK would otherwise claim — WASI, which @extism/extism always serves
 * with its own instance. Answers the input when nothing imports from `from`. Expects a module the loader
 * has read already (a malformed one throws the reader's error).
 */
export function renameImportModule(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const read = readWasmModule(bytes);
  if (!read.ok) throw new Error(`renameImportModule: ${read.problem.message}`);
  if (!read.module.imports.some((entry) => entry.module === from)) return bytes;
  const section = read.module.sections.find((entry) => entry.id === 2);
  if (section === undefined) return bytes;
  const cursor = new ByteCursor(bytes, section.contentOffset, section.end, 'import section');
  const count = cursor.u32('the import count');
  const renamed = utf8.encode(to);
  const replacement = Uint8Array.from([...encodeU32(renamed.length), ...renamed]);
  const parts: Uint8Array[] = [];
  let copied = section.contentOffset;
  for (let index = 0; index < count; index += 1) {
    const moduleOffset = cursor.pos;
    const module = cursor.name(`the module name of import ${index}`);
    if (module === from) {
      parts.push(bytes.subarray(copied, moduleOffset), replacement);
      copied = cursor.pos;
    }
    cursor.name(`the name of import ${index}`);
    skipImportDescription(cursor, index);
  }
  parts.push(bytes.subarray(copied, section.end));
  return rewriteSection(bytes, section, parts);
}

function skipImportDescription(cursor: ByteCursor, index: number): void {
  const kind = cursor.u8(`the kind of import ${index}`);
  if (kind === 0x00) cursor.u32(`the type index of import ${index}`);
  else if (kind === 0x01) {
    readReferenceType(cursor, `the element type of import ${index}`);
    readLimits(cursor, 'table', `import ${index}`);
  } else if (kind === 0x02) readLimits(cursor, 'memory', `import ${index}`);
  else if (kind === 0x03) {
    readValueType(cursor, `the type of import ${index}`);
    cursor.u8(`the mutability of import ${index}`);
  } else {
    cursor.u8(`the attribute of import ${index}`);
    cursor.u32(`the type index of import ${index}`);
  }
}
