import type { ByteCursor } from '../byte-cursor.js';
import { hex } from '../wasm-types.js';

/**
 * Instruction decoding for the metering rewriter: enough of every instruction the engine accepts (the
 * MVP, sign extension, saturating truncation, bulk memory, reference types, multi-value, SIMD and relaxed
 * SIMD, tail calls, threads, exception handling) to find where it ends and what kind of control it is.
 * Anything else (the GC proposal, say) is refused by name: a module the rewriter cannot read must never
 * run unmetered.
 */

/** Opcodes the rewriter treats specially. Prefixed instructions are `prefix << 16 | sub-opcode`. */
export const Op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  try: 0x06,
  catch: 0x07,
  end: 0x0b,
  delegate: 0x18,
  catchAll: 0x19,
  tryTable: 0x1f,
  call: 0x10,
  returnCall: 0x12,
  refFunc: 0xd2,
  memoryGrow: 0x40,
  memoryInit: 0xfc_0008,
  memoryCopy: 0xfc_000a,
  memoryFill: 0xfc_000b,
  tableInit: 0xfc_000c,
  tableCopy: 0xfc_000e,
  tableGrow: 0xfc_000f,
  tableFill: 0xfc_0011,
} as const;

/** Why the rewriter cannot meter a module (it is refused at load, never run unmetered). */
export class MeteringUnsupported extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'MeteringUnsupported';
    this.offset = offset;
  }
}

const skipSigned = (cursor: ByteCursor, what: string, maxBytes: number): void => {
  const start = cursor.pos;
  for (let count = 1; ; count += 1) {
    const byte = cursor.u8(what);
    if (byte < 0x80) return;
    if (count >= maxBytes) cursor.fail('integer_overflow', `${what} is longer than ${maxBytes} bytes`, start);
  }
};

const skipBytes = (cursor: ByteCursor, count: number, what: string): void => {
  if (cursor.remaining < count) cursor.fail('unexpected_end', `${what} needs ${count} bytes`);
  cursor.pos += count;
};

/** A block type: empty (0x40), a value type (a reference type carries a heap type), or a type index. */
export function skipBlockType(cursor: ByteCursor): void {
  const byte = cursor.bytes[cursor.pos];
  if (byte === 0x63 || byte === 0x64) {
    cursor.u8('a reference block type');
    skipSigned(cursor, 'a heap type', 5);
    return;
  }
  skipSigned(cursor, 'a block type', 5);
}

/** A value type as `select t*` and locals carry it. */
export function skipValueType(cursor: ByteCursor): void {
  const byte = cursor.u8('a value type');
  if (byte === 0x63 || byte === 0x64) skipSigned(cursor, 'a heap type', 5);
}

function skipMemarg(cursor: ByteCursor): void {
  const align = cursor.u32('a memory alignment');
  // Bit 6 of the alignment says a memory index follows (multi-memory).
  if ((align & 0x40) !== 0) cursor.u32('a memory index');
  cursor.u32('a memory offset');
}

/**
 * Reads one instruction at the cursor, leaving the cursor after it, and returns its opcode (prefixed
 * instructions as `prefix << 16 | sub`). Immediates are skipped, not kept.
 */
export function readInstruction(cursor: ByteCursor): number {
  const start = cursor.pos;
  const op = cursor.u8('an opcode');
  switch (op) {
    case 0x02:
    case 0x03:
    case 0x04:
    case 0x06:
      skipBlockType(cursor);
      return op;
    case 0x07:
    case 0x08:
    case 0x09:
    case 0x0c:
    case 0x0d:
    case 0x10:
    case 0x12:
    case 0x14:
    case 0x15:
    case 0x18:
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
    case 0x24:
    case 0x25:
    case 0x26:
    case 0xd2:
    case 0xd4:
    case 0xd6:
      cursor.u32('an index');
      return op;
    case 0x0e: {
      const count = cursor.u32('a br_table length');
      for (let index = 0; index <= count; index += 1) cursor.u32('a br_table label');
      return op;
    }
    case 0x11:
    case 0x13:
      cursor.u32('a type index');
      cursor.u32('a table index');
      return op;
    case 0x1c: {
      const count = cursor.u32('a select type count');
      for (let index = 0; index < count; index += 1) skipValueType(cursor);
      return op;
    }
    case 0x1f: {
      skipBlockType(cursor);
      const count = cursor.u32('a try_table clause count');
      for (let index = 0; index < count; index += 1) {
        const kind = cursor.u8('a catch clause kind');
        if (kind > 3) throw new MeteringUnsupported(`unknown catch clause kind ${hex(kind)}`, cursor.pos - 1);
        if (kind < 2) cursor.u32('a tag index');
        cursor.u32('a label');
      }
      return op;
    }
    case 0x3f:
    case 0x40:
      cursor.u32('a memory index');
      return op;
    case 0x41:
      skipSigned(cursor, 'an i32 constant', 5);
      return op;
    case 0x42:
      skipSigned(cursor, 'an i64 constant', 10);
      return op;
    case 0x43:
      skipBytes(cursor, 4, 'an f32 constant');
      return op;
    case 0x44:
      skipBytes(cursor, 8, 'an f64 constant');
      return op;
    case 0xd0: {
      const byte = cursor.bytes[cursor.pos];
      if (byte !== undefined && byte >= 0x69 && byte <= 0x74) cursor.u8('a heap type');
      else skipSigned(cursor, 'a heap type', 5);
      return op;
    }
    case 0xfc:
      return (0xfc << 16) | readMiscPrefixed(cursor, start);
    case 0xfd:
      return (0xfd << 16) | readSimd(cursor, start);
    case 0xfe:
      return (0xfe << 16) | readAtomic(cursor, start);
    default:
      break;
  }
  if (op >= 0x28 && op <= 0x3e) {
    skipMemarg(cursor);
    return op;
  }
  // No immediates: unreachable, nop, else, throw_ref, end, return, drop, select, numeric, sign
  // extension, ref.is_null, ref.as_non_null, ref.eq, catch_all.
  if (
    op <= 0x01 ||
    op === 0x05 ||
    op === 0x0a ||
    op === 0x0b ||
    op === 0x0f ||
    op === 0x19 ||
    op === 0x1a ||
    op === 0x1b ||
    (op >= 0x45 && op <= 0xc4) ||
    op === 0xd1 ||
    op === 0xd3 ||
    op === 0xd5
  ) {
    return op;
  }
  throw new MeteringUnsupported(
    op === 0xfb
      ? 'it uses the garbage-collection proposal (prefix 0xfb), which metering does not cover'
      : `unknown opcode ${hex(op)}`,
    start,
  );
}

function readMiscPrefixed(cursor: ByteCursor, start: number): number {
  const sub = cursor.u32('a 0xfc sub-opcode');
  if (sub <= 7) return sub;
  switch (sub) {
    case 8:
    case 12:
    case 14:
      cursor.u32('an index');
      cursor.u32('an index');
      return sub;
    case 10:
      cursor.u32('a memory index');
      cursor.u32('a memory index');
      return sub;
    case 9:
    case 11:
    case 13:
    case 15:
    case 16:
    case 17:
      cursor.u32('an index');
      return sub;
    default:
      throw new MeteringUnsupported(`unknown instruction 0xfc ${sub}`, start);
  }
}

function readSimd(cursor: ByteCursor, start: number): number {
  const sub = cursor.u32('a SIMD sub-opcode');
  if (sub <= 11 || sub === 92 || sub === 93) {
    skipMemarg(cursor);
  } else if (sub === 12 || sub === 13) {
    skipBytes(cursor, 16, 'a 16-byte SIMD immediate');
  } else if (sub >= 21 && sub <= 34) {
    cursor.u8('a lane index');
  } else if (sub >= 84 && sub <= 91) {
    skipMemarg(cursor);
    cursor.u8('a lane index');
  } else if (sub > 0x113) {
    throw new MeteringUnsupported(`unknown SIMD instruction 0xfd ${sub}`, start);
  }
  return sub;
}

function readAtomic(cursor: ByteCursor, start: number): number {
  const sub = cursor.u32('an atomic sub-opcode');
  if (sub === 3) {
    cursor.u8('the atomic.fence flags');
    return sub;
  }
  if (sub <= 2 || (sub >= 0x10 && sub <= 0x4e)) {
    skipMemarg(cursor);
    return sub;
  }
  throw new MeteringUnsupported(`unknown atomic instruction 0xfe ${sub}`, start);
}
