import type { ByteCursor } from './byte-cursor.js';

/** Limits of a memory or table, in pages (memories) or elements (tables). */
export interface WasmLimits {
  min: number;
  max: number | undefined;
  shared: boolean;
  /** The memory64 (or table64) proposal: limits are encoded as u64. */
  memory64: boolean;
}

export const hex = (byte: number): string => `0x${byte.toString(16).padStart(2, '0')}`;

export function readLimits(cursor: ByteCursor, of: 'memory' | 'table', owner: string): WasmLimits {
  const flagsOffset = cursor.pos;
  const flags = cursor.u8(`the limits flags of ${owner}`);
  // bit 0: has a maximum; bit 1: shared (memories only); bit 2: 64-bit index. Anything else (such as
  // the custom-page-sizes bit 3) is a proposal this reader does not accept.
  const allowed = of === 'memory' ? 0x07 : 0x05;
  if ((flags & ~allowed) !== 0) {
    cursor.fail('invalid_limits', `${owner} has unsupported ${of} limits flags ${hex(flags)}`, flagsOffset);
  }
  const memory64 = (flags & 0x04) !== 0;
  const read = (what: string): number => (memory64 ? cursor.u64(what) : cursor.u32(what));
  const min = read(`the minimum of ${owner}`);
  const max = (flags & 0x01) !== 0 ? read(`the maximum of ${owner}`) : undefined;
  return { min, max, shared: (flags & 0x02) !== 0, memory64 };
}

// funcref, externref and the other abstract heap types of the GC and exception-handling proposals.
const isAbstractHeapType = (byte: number): boolean => byte >= 0x69 && byte <= 0x74;

export function readReferenceType(cursor: ByteCursor, what: string): void {
  readType(cursor, what, false);
}

export function readValueType(cursor: ByteCursor, what: string): void {
  readType(cursor, what, true);
}

function readType(cursor: ByteCursor, what: string, numeric: boolean): void {
  const offset = cursor.pos;
  const byte = cursor.u8(what);
  // i32, i64, f32, f64, v128
  if (numeric && byte >= 0x7b && byte <= 0x7f) return;
  if (byte === 0x63 || byte === 0x64) {
    // (ref null? <heaptype>): the heap type is an s33, an abstract type or a type index.
    cursor.s33(`${what} (heap type)`);
    return;
  }
  if (!isAbstractHeapType(byte)) cursor.fail('invalid_type', `${what} is unknown type ${hex(byte)}`, offset);
}
