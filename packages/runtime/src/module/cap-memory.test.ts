import { describe, expect, it } from 'vitest';
import {
  SECTION,
  importMemory,
  limits,
  module,
  moduleWith,
  section,
  vector,
} from '../__fixtures__/wasm-bytes.js';
import { wat } from '../__fixtures__/wat.js';
import { capMemory, type CapMemoryOptions } from './cap-memory.js';
import { readWasmModule } from './wasm-reader.js';

const CAP: CapMemoryOptions = { maxPages: 16, onUnbounded: 'cap', onTooLarge: 'cap' };
const REFUSE: CapMemoryOptions = { maxPages: 16, onUnbounded: 'refuse', onTooLarge: 'refuse' };

/** A guest that exports its memory and `grow(pages) -> previous size or -1`. */
const growable = (memory: string): Promise<Uint8Array<ArrayBuffer>> =>
  wat(`(module
    (memory (export "memory") ${memory})
    (data (i32.const 0) "kept")
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "size") (result i32) (memory.size)))`);

interface Growable {
  memory: WebAssembly.Memory;
  grow: (pages: number) => number;
  size: () => number;
}

async function instantiate(bytes: Uint8Array<ArrayBuffer>): Promise<Growable> {
  const compiled = await WebAssembly.compile(bytes);
  const instance = await WebAssembly.instantiate(compiled);
  return instance.exports as unknown as Growable;
}

describe('capMemory', () => {
  it('leaves a module with no memory unchanged', async () => {
    const bytes = await wat('(module (func (export "run")))');
    expect(capMemory(bytes, REFUSE)).toEqual({
      ok: true,
      action: 'unchanged',
      bytes,
      declaredMax: undefined,
      effectiveMax: undefined,
      reason: 'the module has no memory',
    });
  });

  it('leaves a maximum within the cap unchanged, returning the same bytes', async () => {
    const bytes = await growable('1 16');
    const result = capMemory(bytes, REFUSE);
    expect(result).toMatchObject({ ok: true, action: 'unchanged', declaredMax: 16, effectiveMax: 16 });
    expect(result.bytes).toBe(bytes);
    expect(result.reason).toBe('its declared maximum of 16 pages is within the cap');
  });

  it('caps an unbounded memory: the module compiles, keeps its data and cannot grow past the cap', async () => {
    const bytes = await growable('1');
    const result = capMemory(bytes, CAP);
    expect(result).toMatchObject({ ok: true, action: 'capped', declaredMax: undefined, effectiveMax: 16 });
    expect(result.reason).toBe('it declares no maximum; rewritten to a maximum of 16 pages');
    expect(result.bytes.length).toBe(bytes.length + 1); // flags stay one byte, max 16 adds one
    expect(bytes).toEqual(await growable('1')); // the input is not modified

    const guest = await instantiate(result.bytes);
    expect(new TextDecoder().decode(new Uint8Array(guest.memory.buffer, 0, 4))).toBe('kept');
    expect(guest.grow(15)).toBe(1);
    expect(guest.size()).toBe(16);
    expect(guest.grow(1)).toBe(-1);
    expect(() => guest.memory.grow(1)).toThrow(RangeError);
    expect(guest.memory.buffer.byteLength).toBe(16 * 65536);

    // The uncapped original grows on; this is what the cap prevents.
    const uncapped = await instantiate(bytes);
    expect(uncapped.grow(20)).toBe(1);
  });

  it('caps a maximum above the cap', async () => {
    const bytes = await growable('2 65536');
    const result = capMemory(bytes, CAP);
    expect(result).toMatchObject({ ok: true, action: 'capped', declaredMax: 65536, effectiveMax: 16 });
    expect(result.reason).toBe(
      'its declared maximum of 65536 pages is above the cap; rewritten to a maximum of 16 pages',
    );
    const reread = readWasmModule(result.bytes);
    expect(reread.ok && reread.module.memories[0]?.limits).toEqual({
      min: 2,
      max: 16,
      shared: false,
      memory64: false,
    });
    const guest = await instantiate(result.bytes);
    expect(guest.grow(14)).toBe(2);
    expect(guest.grow(1)).toBe(-1);
  });

  it('caps at exactly the minimum, so no growth at all', async () => {
    const guest = await instantiate(capMemory(await growable('3'), { ...CAP, maxPages: 3 }).bytes);
    expect(guest.grow(1)).toBe(-1);
    expect(guest.size()).toBe(3);
  });

  it('keeps every other section byte for byte', async () => {
    const bytes = await growable('1');
    const capped = capMemory(bytes, CAP).bytes;
    const before = readWasmModule(bytes);
    const after = readWasmModule(capped);
    if (!before.ok || !after.ok) throw new Error('unreadable');
    const contents = (source: Uint8Array, sections: typeof before.module.sections) =>
      sections
        .filter((entry) => entry.id !== SECTION.memory)
        .map((entry) => [...source.subarray(entry.contentOffset, entry.end)]);
    expect(contents(capped, after.module.sections)).toEqual(contents(bytes, before.module.sections));
  });

  it.each([
    [
      'unbounded',
      '1',
      { onUnbounded: 'refuse' },
      undefined,
      "The module's memory cannot run under the cap of 16 pages: it declares no maximum",
    ],
    [
      'too_large',
      '1 17',
      { onTooLarge: 'refuse' },
      17,
      "The module's memory cannot run under the cap of 16 pages: its declared maximum of 17 pages is above the cap",
    ],
    [
      'minimum_above_cap',
      '17',
      {},
      undefined,
      "The module's memory cannot run under the cap of 16 pages: its minimum of 17 pages is already above the cap",
    ],
    [
      'minimum_above_cap',
      '17 20',
      {},
      20,
      "The module's memory cannot run under the cap of 16 pages: its minimum of 17 pages is already above the cap",
    ],
  ] as const)('refuses %s (memory %s)', async (reason, memory, policy, declaredMax, message) => {
    const bytes = await growable(memory);
    expect(capMemory(bytes, { ...CAP, ...policy })).toEqual({
      ok: false,
      action: 'refused',
      bytes,
      declaredMax,
      effectiveMax: undefined,
      reason: message,
      problem: { code: 'memory_refused', reason, message, declaredMax, limit: 16 },
    });
  });

  it('applies each policy only to its own case', async () => {
    const unbounded = await growable('1');
    const tooLarge = await growable('1 100');
    expect(capMemory(unbounded, { ...CAP, onTooLarge: 'refuse' }).action).toBe('capped');
    expect(capMemory(tooLarge, { ...CAP, onUnbounded: 'refuse' }).action).toBe('capped');
    expect(capMemory(unbounded, { ...REFUSE, onUnbounded: 'cap' }).action).toBe('capped');
    expect(capMemory(tooLarge, { ...REFUSE, onTooLarge: 'cap' }).action).toBe('capped');
  });

  it.each([
    [
      'memory64',
      { min: 1, max: 2, memory64: true },
      'it uses a 64-bit memory (memory64), which this host does not run',
    ],
    ['shared', { min: 1, max: 2, shared: true }, 'it uses a shared memory, which this host does not run'],
  ] as const)('refuses a %s memory even within the cap', (reason, memory, why) => {
    const result = capMemory(moduleWith({ memory }), CAP);
    expect(result).toMatchObject({
      ok: false,
      action: 'refused',
      declaredMax: 2,
      problem: { reason, code: 'memory_refused' },
    });
    expect(result.reason).toBe(`The module's memory cannot run under the cap of 16 pages: ${why}`);
  });

  it('refuses an imported memory and multiple memories', () => {
    const imported = moduleWith({ imports: [importMemory('env', 'memory', { min: 1 })] });
    expect(capMemory(imported, CAP)).toMatchObject({
      action: 'refused',
      problem: { reason: 'imported' },
      reason: `The module's memory cannot run under the cap of 16 pages: it imports its memory ("env" "memory") instead of defining it`,
    });
    const two = module(section(SECTION.memory, vector([limits({ min: 1, max: 2 }), limits({ min: 1 })])));
    expect(capMemory(two, CAP)).toMatchObject({
      action: 'refused',
      problem: { reason: 'multiple_memories' },
    });
  });

  it('refuses a malformed module with the reader problem', () => {
    const bytes = Uint8Array.from([1, 2, 3]);
    expect(capMemory(bytes, CAP)).toMatchObject({
      ok: false,
      action: 'refused',
      bytes,
      problem: { code: 'invalid_module', reason: 'bad_magic', offset: 0 },
    });
  });

  it('rejects an impossible cap as a programming error', () => {
    const bytes = module();
    for (const maxPages of [-1, 1.5, 65537, Number.NaN]) {
      expect(() => capMemory(bytes, { ...CAP, maxPages })).toThrow(RangeError);
    }
  });

  it('re-encodes padded LEBs (the section size, the minimum) minimally', () => {
    const content = [1, 0x00, 0x81, 0x80, 0x00]; // one memory, min 1 padded to three bytes
    const bytes = module([SECTION.memory, 0x85, 0x80, 0x80, 0x80, 0x00, ...content]);
    expect(WebAssembly.validate(bytes)).toBe(true);
    const result = capMemory(bytes, CAP);
    expect([...result.bytes.subarray(8)]).toEqual([SECTION.memory, 4, 1, 0x01, 1, 16]);
    expect(WebAssembly.validate(result.bytes)).toBe(true);
  });
});
