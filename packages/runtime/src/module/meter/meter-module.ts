import { ByteCursor, WasmDecodeError } from '../byte-cursor.js';
import { readWasmModule, SECTION_RANK, type WasmSection } from '../wasm-reader.js';
import type { MeteringProblem } from '../module-problem.js';
import { ByteSink } from './byte-sink.js';
import { FUEL_COUNTER_EXPORT, FUEL_NAMESPACE, FUEL_REFILL_IMPORT } from './fuel-abi.js';
import { MeteringUnsupported, Op, readInstruction, skipValueType } from './instructions.js';

/**
 * Fuel metering by rewriting the module. Every function gets a private i64 counter charged, at its
 * entry and at the start of every loop body, branch arm and continuation after a block, by the number
 * of instructions that straight-line stretch runs; bulk memory and table operations and `memory.grow`
 * are charged by their size before they run. When the counter drops below zero the guest calls the
 * host's `plinth:fuel` `refill(current) -> new`, which grants more from the call's budget or throws to
 * stop the call. The counter is exported (as `plinth:fuel`) so the host can zero it before a call and
 * read what is left after it: fuel used is then exact and the same on every run.
 */

export { FUEL_COUNTER_EXPORT, FUEL_NAMESPACE, FUEL_REFILL_IMPORT, METERING_VERSION } from './fuel-abi.js';

/** Fuel per byte moved or filled by the bulk memory operations, as a shift: one per 32 bytes. */
const BYTE_COST_SHIFT = 5;
/** Fuel per 64 KiB page `memory.grow` adds, as a shift: 2048 (64 KiB at the bulk rate). */
const PAGE_COST_SHIFT = 11;

/** Counts from one run of `meterModule`, for reports and benchmarks. */
export interface MeteringStats {
  /** Functions rewritten (the module's own, not the four helpers the metering adds). */
  functions: number;
  /** Places a charge was inserted. */
  chargePoints: number;
  /** Bulk operations and `memory.grow`s charged by size. */
  sizedCharges: number;
}

/** The answer of `meterModule`: the metered module with its stats, or why the module cannot be metered. */
export type MeterResult =
  | { ok: true; bytes: Uint8Array<ArrayBuffer>; stats: MeteringStats }
  | { ok: false; problem: MeteringProblem };

/** Structural instructions that cost nothing themselves; every other instruction costs one. */
const FREE = new Set<number>([0x01, Op.block, Op.loop, Op.else, Op.end, Op.try, Op.catchAll, Op.delegate]);
/** Instructions after which a new straight-line stretch starts (a branch may land there, or not). */
const BOUNDARY = new Set<number>([
  Op.loop,
  Op.if,
  Op.else,
  Op.end,
  Op.try,
  Op.catch,
  Op.catchAll,
  Op.delegate,
  Op.tryTable,
]);

/** Helper kinds, in the order the helpers are appended: what `n` counts for each sized operation. */
const enum Sized {
  bytes = 0,
  pages = 1,
  elements = 2,
}
const SIZED_OPS = new Map<number, Sized>([
  [Op.memoryInit, Sized.bytes],
  [Op.memoryCopy, Sized.bytes],
  [Op.memoryFill, Sized.bytes],
  [Op.memoryGrow, Sized.pages],
  [Op.tableInit, Sized.elements],
  [Op.tableCopy, Sized.elements],
  [Op.tableGrow, Sized.elements],
  [Op.tableFill, Sized.elements],
]);

/**
 * Returns the metered module, or a problem naming why this module cannot be metered (it must then not
 * run at all where fuel is required). The input must be a module the loader already read and accepted.
 */
export function meterModule(bytes: Uint8Array): MeterResult {
  try {
    return rewrite(bytes);
  } catch (error) {
    if (error instanceof MeteringUnsupported || error instanceof WasmDecodeError) {
      return {
        ok: false,
        problem: {
          code: 'invalid_module',
          reason: 'metering_unsupported',
          message: `The module cannot be metered: ${error.message}`,
          offset: error.offset,
        },
      };
    }
    throw error;
  }
}

interface Layout {
  /** Function index of the refill import (every defined function moves up by one). */
  refill: number;
  /** Global index of the counter. */
  counter: number;
  /** Function indices of the sized-charge helpers, by `Sized`. */
  helpers: readonly [number, number, number];
  /** Function index of the helper that refills the counter (the cold path of every charge). */
  refillNow: number;
}

function rewrite(bytes: Uint8Array): MeterResult {
  const read = readWasmModule(bytes);
  if (!read.ok) throw new MeteringUnsupported(read.problem.message, read.problem.offset);
  const { sections, imports, memories, exports } = read.module;

  for (const entry of imports) {
    if (entry.module === FUEL_NAMESPACE) {
      throw new MeteringUnsupported(
        `it imports from "${FUEL_NAMESPACE}", a namespace reserved for the host`,
        0,
      );
    }
    if (entry.limits?.memory64)
      throw new MeteringUnsupported(`its imported ${entry.kind} has 64-bit limits`, 0);
  }
  for (const memory of memories) {
    if (memory.limits.memory64)
      throw new MeteringUnsupported('its memory is 64-bit (memory64)', memory.offset);
  }
  if (exports.some((entry) => entry.name === FUEL_COUNTER_EXPORT)) {
    throw new MeteringUnsupported(`it exports "${FUEL_COUNTER_EXPORT}", a name reserved for the host`, 0);
  }

  const byId = new Map<number, WasmSection>();
  for (const section of sections) if (section.id !== 0) byId.set(section.id, section);
  const cursorOf = (section: WasmSection) =>
    new ByteCursor(bytes, section.contentOffset, section.end, `${section.name} section`);

  const typeCount = countTypes(byId.get(1), cursorOf);
  const importedFunctions = imports.filter((entry) => entry.kind === 'func').length;
  const importedGlobals = imports.filter((entry) => entry.kind === 'global').length;
  const definedFunctions = countOf(byId.get(3), cursorOf, 'function');
  const definedGlobals = countOf(byId.get(6), cursorOf, 'global');
  checkTables(byId.get(4), cursorOf);

  const refillType = typeCount;
  const helperType = typeCount + 1;
  const voidType = typeCount + 2;
  const firstHelper = importedFunctions + 1 + definedFunctions;
  const layout: Layout = {
    refill: importedFunctions,
    counter: importedGlobals + definedGlobals,
    helpers: [firstHelper, firstHelper + 1, firstHelper + 2],
    refillNow: firstHelper + 3,
  };
  const shift = (index: number) => (index >= layout.refill ? index + 1 : index);
  const stats: MeteringStats = { functions: 0, chargePoints: 0, sizedCharges: 0 };

  const writers: Record<number, (section: WasmSection | undefined) => ByteSink> = {
    1: (section) =>
      appendToVector(
        section,
        cursorOf,
        (sink) => {
          sink.bytes([0x60, 0x01, 0x7e, 0x01, 0x7e]); // refill: (i64) -> i64
          sink.bytes([0x60, 0x01, 0x7f, 0x01, 0x7f]); // sized helpers: (i32) -> i32
          sink.bytes([0x60, 0x00, 0x00]); // refill helper: () -> ()
        },
        3,
      ),
    2: (section) =>
      appendToVector(
        section,
        cursorOf,
        (sink) => {
          sink.name(FUEL_NAMESPACE).name(FUEL_REFILL_IMPORT).byte(0x00).u32(refillType);
        },
        1,
      ),
    3: (section) =>
      appendToVector(
        section,
        cursorOf,
        (sink) => {
          for (let helper = 0; helper < 3; helper += 1) sink.u32(helperType);
          sink.u32(voidType);
        },
        4,
      ),
    6: (section) => {
      const sink = rewriteGlobals(section, cursorOf, shift);
      return sink;
    },
    7: (section) => rewriteExports(section, cursorOf, shift, layout.counter),
    8: (section) => {
      const cursor = cursorOf(section!);
      return new ByteSink(8).u32(shift(cursor.u32('the start function')));
    },
    9: (section) => rewriteElements(section!, cursorOf, shift),
    10: (section) => rewriteCode(section, cursorOf, shift, layout, stats),
  };
  // Sections the metered module must have even when the original has none.
  const required = [1, 2, 3, 6, 7, 10];
  const rankOf = (id: number) => SECTION_RANK[id] ?? 0;

  const out = new ByteSink(bytes.length + bytes.length / 4 + 256);
  out.bytes(bytes.subarray(0, 8));
  const written = new Set<number>();
  const emitMissingBefore = (rank: number) => {
    for (const id of required) {
      if (!written.has(id) && !byId.has(id) && rankOf(id) < rank) {
        out.section(id, writers[id]!(undefined));
        written.add(id);
      }
    }
  };
  for (const section of sections) {
    if (section.id === 0) {
      if (section.customName === 'name') {
        const renamed = rewriteNames(bytes, section, shift);
        if (renamed) out.section(0, renamed);
      } else {
        out.bytes(bytes.subarray(section.offset, section.end));
      }
      continue;
    }
    emitMissingBefore(rankOf(section.id));
    const writer = writers[section.id];
    if (writer) out.section(section.id, writer(section));
    else out.bytes(bytes.subarray(section.offset, section.end));
    written.add(section.id);
  }
  emitMissingBefore(Number.POSITIVE_INFINITY);
  return { ok: true, bytes: out.toBytes(), stats };
}

type CursorOf = (section: WasmSection) => ByteCursor;

function countOf(section: WasmSection | undefined, cursorOf: CursorOf, what: string): number {
  return section ? cursorOf(section).u32(`the ${what} count`) : 0;
}

function countTypes(section: WasmSection | undefined, cursorOf: CursorOf): number {
  if (!section) return 0;
  const cursor = cursorOf(section);
  const count = cursor.u32('the type count');
  for (let index = 0; index < count; index += 1) {
    const form = cursor.u8('a type form');
    if (form !== 0x60) {
      throw new MeteringUnsupported(
        `type ${index} is not a plain function type (form 0x${form.toString(16)}, from the GC proposal)`,
        cursor.pos - 1,
      );
    }
    for (let list = 0; list < 2; list += 1) {
      const length = cursor.u32('a type list length');
      for (let item = 0; item < length; item += 1) skipValueType(cursor);
    }
  }
  return count;
}

function checkTables(section: WasmSection | undefined, cursorOf: CursorOf): void {
  if (!section) return;
  const cursor = cursorOf(section);
  const count = cursor.u32('the table count');
  for (let index = 0; index < count; index += 1) {
    // A table with an initializer (function-references proposal) starts 0x40 0x00.
    const withInit = cursor.bytes[cursor.pos] === 0x40;
    if (withInit) {
      cursor.u8('the table initializer flag');
      cursor.u8('the table initializer reserved byte');
    }
    skipValueType(cursor);
    const flagsAt = cursor.pos;
    const flags = cursor.u8('the table limits flags');
    if ((flags & 0x04) !== 0) throw new MeteringUnsupported(`table ${index} has 64-bit limits`, flagsAt);
    cursor.u32('the table minimum');
    if ((flags & 0x01) !== 0) cursor.u32('the table maximum');
    if (withInit) skipConstExpression(cursor);
  }
}

/**
 * A section's vector as the rewriters read it: its entries (none when the module has no such section),
 * and a sink for the rewritten section that already holds the new count (`extra` entries more).
 */
function openVector(
  section: WasmSection | undefined,
  cursorOf: CursorOf,
  extra: number,
  growth = 32,
): { cursor: ByteCursor | undefined; count: number; sink: ByteSink } {
  const size = section ? section.end - section.contentOffset : 0;
  const sink = new ByteSink(size + growth);
  const cursor = section ? cursorOf(section) : undefined;
  const count = cursor ? cursor.u32(`the ${section?.name ?? ''} entry count`) : 0;
  sink.u32(count + extra);
  return { cursor, count, sink };
}

/** The section's vector with `extra` entries written by `append` after the existing ones. */
function appendToVector(
  section: WasmSection | undefined,
  cursorOf: CursorOf,
  append: (sink: ByteSink) => void,
  extra: number,
): ByteSink {
  const { cursor, sink } = openVector(section, cursorOf, extra);
  if (cursor) sink.bytes(cursor.bytes.subarray(cursor.pos, cursor.end));
  append(sink);
  return sink;
}

/** Copies a constant expression up to and including its `end`, shifting `ref.func` indices. */
function copyConstExpression(cursor: ByteCursor, sink: ByteSink, shift: (index: number) => number): void {
  for (;;) {
    const start = cursor.pos;
    const op = readInstruction(cursor);
    if (op === Op.refFunc) {
      const index = new ByteCursor(cursor.bytes, start + 1, cursor.pos, 'ref.func').u32('a function index');
      sink.byte(Op.refFunc).u32(shift(index));
    } else {
      sink.bytes(cursor.bytes.subarray(start, cursor.pos));
    }
    if (op === Op.end) return;
    if (op === Op.block || op === Op.loop || op === Op.if) {
      throw new MeteringUnsupported('a constant expression opens a block', start);
    }
  }
}

function skipConstExpression(cursor: ByteCursor): void {
  copyConstExpression(cursor, new ByteSink(16), (index) => index);
}

function rewriteGlobals(
  section: WasmSection | undefined,
  cursorOf: CursorOf,
  shift: (index: number) => number,
): ByteSink {
  const { cursor, count, sink } = openVector(section, cursorOf, 1);
  for (let index = 0; cursor && index < count; index += 1) {
    const start = cursor.pos;
    skipValueType(cursor);
    cursor.u8('the global mutability');
    sink.bytes(cursor.bytes.subarray(start, cursor.pos));
    copyConstExpression(cursor, sink, shift);
  }
  // The counter: a mutable i64 starting at zero, so the first charge asks the host for fuel.
  sink.bytes([0x7e, 0x01, 0x42, 0x00, 0x0b]);
  return sink;
}

function rewriteExports(
  section: WasmSection | undefined,
  cursorOf: CursorOf,
  shift: (index: number) => number,
  counter: number,
): ByteSink {
  const { cursor, count, sink } = openVector(section, cursorOf, 1);
  for (let index = 0; cursor && index < count; index += 1) {
    const start = cursor.pos;
    cursor.name('an export name');
    const kind = cursor.u8('an export kind');
    sink.bytes(cursor.bytes.subarray(start, cursor.pos));
    const target = cursor.u32('an export index');
    sink.u32(kind === 0x00 ? shift(target) : target);
  }
  sink.name(FUEL_COUNTER_EXPORT).byte(0x03).u32(counter);
  return sink;
}

function rewriteElements(
  section: WasmSection,
  cursorOf: CursorOf,
  shift: (index: number) => number,
): ByteSink {
  const cursor = cursorOf(section);
  const sink = new ByteSink(section.end - section.contentOffset + 16);
  const count = cursor.u32('the element segment count');
  sink.u32(count);
  const copyTo = (from: number) => sink.bytes(cursor.bytes.subarray(from, cursor.pos));
  for (let index = 0; index < count; index += 1) {
    const flags = cursor.u32('the element segment flags');
    sink.u32(flags);
    if (flags > 7) throw new MeteringUnsupported(`element segment ${index} has flags ${flags}`, cursor.pos);
    if (flags === 2 || flags === 6) sink.u32(cursor.u32('a table index'));
    if ((flags & 0x01) === 0) copyConstExpression(cursor, sink, shift); // active: the offset
    const usesExpressions = (flags & 0x04) !== 0;
    if (flags !== 0 && flags !== 4) {
      const start = cursor.pos;
      if (usesExpressions) skipValueType(cursor);
      else cursor.u8('an element kind');
      copyTo(start);
    }
    const items = cursor.u32('the element count');
    sink.u32(items);
    for (let item = 0; item < items; item += 1) {
      if (usesExpressions) copyConstExpression(cursor, sink, shift);
      else sink.u32(shift(cursor.u32('a function index')));
    }
  }
  return sink;
}

/** The name section with function indices moved past the refill import; `undefined` drops it. */
function rewriteNames(
  bytes: Uint8Array,
  section: WasmSection,
  shift: (index: number) => number,
): ByteSink | undefined {
  try {
    const cursor = new ByteCursor(bytes, section.contentOffset, section.end, 'name section');
    const sink = new ByteSink(section.end - section.offset + 16);
    const nameStart = cursor.pos;
    cursor.name('the custom section name');
    sink.bytes(bytes.subarray(nameStart, cursor.pos));
    while (!cursor.atEnd()) {
      const id = cursor.u8('a name subsection id');
      const size = cursor.u32('a name subsection size');
      const sub = cursor.sub(size, 'name subsection');
      if (id !== 1 && id !== 2) {
        sink.byte(id).u32(size).bytes(bytes.subarray(sub.pos, sub.end));
        continue;
      }
      const content = new ByteSink(size + 8);
      const count = sub.u32('a name count');
      content.u32(count);
      for (let index = 0; index < count; index += 1) {
        content.u32(shift(sub.u32('a function index')));
        const start = sub.pos;
        if (id === 1) {
          sub.name('a function name');
        } else {
          const locals = sub.u32('a local name count');
          for (let local = 0; local < locals; local += 1) {
            sub.u32('a local index');
            sub.name('a local name');
          }
        }
        content.bytes(bytes.subarray(start, sub.pos));
      }
      sink.section(id, content);
    }
    return sink;
  } catch (error) {
    // Names are only for stack traces; a malformed name section is dropped (engines ignore it too).
    if (error instanceof WasmDecodeError || error instanceof MeteringUnsupported) return undefined;
    throw error;
  }
}

function rewriteCode(
  section: WasmSection | undefined,
  cursorOf: CursorOf,
  shift: (index: number) => number,
  layout: Layout,
  stats: MeteringStats,
): ByteSink {
  // Metering adds about a fifth to the code: a charge at most stretches, plus the four helpers.
  const size = section ? section.end - section.contentOffset : 0;
  const { cursor, count, sink } = openVector(section, cursorOf, 4, size / 4 + 256);
  const body = new ByteSink(4096);
  for (let index = 0; cursor && index < count; index += 1) {
    const size = cursor.u32(`the size of function body ${index}`);
    const code = cursor.sub(size, `function body ${index}`);
    body.length = 0;
    meterBody(code, body, shift, layout, stats);
    sink.u32(body.length).bytes(body.view());
    stats.functions += 1;
  }
  for (const kind of [Sized.bytes, Sized.pages, Sized.elements]) {
    body.length = 0;
    writeHelper(body, kind, layout);
    sink.u32(body.length).bytes(body.view());
  }
  // refillNow: counter = refill(counter)
  body.length = 0;
  body
    .byte(0x00)
    .byte(0x23)
    .u32(layout.counter)
    .byte(0x10)
    .u32(layout.refill)
    .byte(0x24)
    .u32(layout.counter)
    .byte(0x0b);
  sink.u32(body.length).bytes(body.view());
  return sink;
}

/** `counter -= cost; if (counter < 0) counter = refill(counter)`, leaving the stack as it was. */
function writeCharge(sink: ByteSink, cost: number, layout: Layout): void {
  const { counter } = layout;
  sink.byte(0x23).u32(counter).byte(0x42).s64(cost).byte(0x7d).byte(0x24).u32(counter);
  writeRefillCheck(sink, layout);
}

function writeRefillCheck(sink: ByteSink, layout: Layout): void {
  const { counter, refillNow } = layout;
  sink.byte(0x23).u32(counter).byte(0x42).byte(0x00).byte(0x53); // counter < 0
  sink.byte(0x04).byte(0x40).byte(0x10).u32(refillNow).byte(0x0b); // if; call refillNow; end
}

/** A helper `(n: i32) -> i32` that charges for `n` units of a sized operation and returns `n`. */
function writeHelper(sink: ByteSink, kind: Sized, layout: Layout): void {
  sink.byte(0x00); // no locals
  sink.byte(0x23).u32(layout.counter);
  sink.byte(0x20).byte(0x00).byte(0xad); // local.get 0; i64.extend_i32_u
  if (kind === Sized.bytes) sink.byte(0x42).s64(BYTE_COST_SHIFT).byte(0x88); // i64.shr_u
  if (kind === Sized.pages) sink.byte(0x42).s64(PAGE_COST_SHIFT).byte(0x86); // i64.shl
  sink.byte(0x7d).byte(0x24).u32(layout.counter); // i64.sub; global.set
  writeRefillCheck(sink, layout);
  sink.byte(0x20).byte(0x00).byte(0x0b);
}

function meterBody(
  code: ByteCursor,
  sink: ByteSink,
  shift: (index: number) => number,
  layout: Layout,
  stats: MeteringStats,
): void {
  const { bytes } = code;
  const localsStart = code.pos;
  const groups = code.u32('the local group count');
  for (let group = 0; group < groups; group += 1) {
    code.u32('a local count');
    skipValueType(code);
  }
  sink.bytes(bytes.subarray(localsStart, code.pos));
  const expressionStart = code.pos;

  // First pass: the cost of each straight-line stretch, in order.
  const costs: number[] = [];
  let cost = 0;
  let depth = 0;
  while (!code.atEnd()) {
    const op = readInstruction(code);
    if (!FREE.has(op)) cost += 1;
    if (op === Op.block || op === Op.loop || op === Op.if || op === Op.try || op === Op.tryTable) depth += 1;
    if (op === Op.end || op === Op.delegate) {
      depth -= 1;
      if (depth < 0) break;
    }
    if (BOUNDARY.has(op)) {
      costs.push(cost);
      cost = 0;
    }
  }
  if (depth >= 0 || !code.atEnd()) {
    throw new MeteringUnsupported('a function body does not end where its last block closes', code.pos);
  }
  costs.push(cost); // the function's final stretch (its `end` closed it above)

  // Second pass: copy, with a charge at the start of every stretch that costs anything.
  code.pos = expressionStart;
  let stretch = 0;
  const charge = () => {
    const owed = costs[stretch] ?? 0;
    stretch += 1;
    if (owed > 0) {
      writeCharge(sink, owed, layout);
      stats.chargePoints += 1;
    }
  };
  charge();
  depth = 0;
  while (!code.atEnd()) {
    const start = code.pos;
    const op = readInstruction(code);
    const sized = SIZED_OPS.get(op);
    if (sized !== undefined) {
      sink.byte(0x10).u32(layout.helpers[sized]);
      stats.sizedCharges += 1;
    }
    if (op === Op.call || op === Op.returnCall || op === Op.refFunc) {
      const index = new ByteCursor(bytes, start + 1, code.pos, 'an instruction').u32('a function index');
      sink.byte(op).u32(shift(index));
    } else {
      sink.bytes(bytes.subarray(start, code.pos));
    }
    if (op === Op.block || op === Op.loop || op === Op.if || op === Op.try || op === Op.tryTable) depth += 1;
    if (op === Op.end || op === Op.delegate) {
      depth -= 1;
      if (depth < 0) break;
    }
    if (BOUNDARY.has(op)) charge();
  }
}
