import { describe, expect, it } from 'vitest';
import { ByteCursor, WasmDecodeError } from './byte-cursor.js';
import { encodeU32 } from './leb128.js';

const cursor = (bytes: readonly number[], end = bytes.length): ByteCursor =>
  new ByteCursor(Uint8Array.from(bytes), 0, end, 'test input');

function failure(read: () => unknown): WasmDecodeError {
  try {
    read();
  } catch (error) {
    if (error instanceof WasmDecodeError) return error;
    throw error;
  }
  throw new Error('expected a WasmDecodeError');
}

describe('u32', () => {
  it.each([
    [[0x00], 0],
    [[0x7f], 127],
    [[0x80, 0x01], 128],
    [[0xe5, 0x8e, 0x26], 624485],
    [[0x80, 0x80, 0x80, 0x80, 0x00], 0], // padded encodings are valid
    [[0xff, 0xff, 0xff, 0xff, 0x0f], 0xffff_ffff],
  ])('decodes %j as %d', (bytes, value) => {
    const reader = cursor(bytes);
    expect(reader.u32('n')).toBe(value);
    expect(reader.atEnd()).toBe(true);
  });

  it('refuses a value over 32 bits, naming where the number starts', () => {
    const reader = cursor([0x00, 0xff, 0xff, 0xff, 0xff, 0x10]);
    reader.pos = 1;
    const overflow = failure(() => reader.u32('the count'));
    expect(overflow).toMatchObject({ reason: 'integer_overflow', offset: 5 });
    expect(overflow.message).toBe(
      'the count (LEB128 u32 starting at offset 1) exceeds 32 bits at offset 5 (in the test input)',
    );
  });

  it('refuses a sixth byte', () => {
    expect(failure(() => cursor([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).u32('n'))).toMatchObject({
      reason: 'integer_overflow',
      offset: 4,
    });
  });

  it('reports truncation at the byte that is missing', () => {
    const error = failure(() => cursor([0x80, 0x80]).u32('the size'));
    expect(error).toMatchObject({ reason: 'unexpected_end', offset: 2 });
    expect(error.message).toBe(
      'unexpected end of input while reading the size at offset 2 (in the test input)',
    );
  });

  it('never reads past the window, even when the array continues', () => {
    expect(failure(() => cursor([0x80, 0x01], 1).u32('n'))).toMatchObject({
      reason: 'unexpected_end',
      offset: 1,
    });
  });

  it('round-trips encodeU32', () => {
    for (const value of [0, 1, 127, 128, 16383, 16384, 65536, 2 ** 31, 0xffff_ffff]) {
      expect(cursor([...encodeU32(value)]).u32('n')).toBe(value);
    }
    expect(() => encodeU32(-1)).toThrow(RangeError);
    expect(() => encodeU32(2 ** 32)).toThrow(RangeError);
  });
});

describe('u64', () => {
  it('decodes values up to 2^53 - 1', () => {
    const max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f];
    expect(cursor(max).u64('n')).toBe(Number.MAX_SAFE_INTEGER);
    expect(cursor([0x80, 0x80, 0x80, 0x80, 0x10]).u64('n')).toBe(2 ** 32);
  });

  it('refuses values JavaScript numbers cannot hold exactly', () => {
    const error = failure(() => cursor([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]).u64('the minimum'));
    expect(error).toMatchObject({ reason: 'integer_overflow', offset: 0 });
    expect(error.message).toContain('the minimum (9007199254740992) is larger than 2^53 - 1');
  });

  it('refuses more than 64 bits', () => {
    const bytes = [...Array<number>(9).fill(0x80), 0x02];
    expect(failure(() => cursor(bytes).u64('n'))).toMatchObject({ reason: 'integer_overflow', offset: 9 });
  });
});

describe('s33', () => {
  it('skips negative and positive heap types', () => {
    const reader = cursor([0x70, 0x05, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    reader.s33('a');
    reader.s33('b');
    reader.s33('c');
    expect(reader.atEnd()).toBe(true);
  });

  it('refuses bits that do not sign-extend', () => {
    expect(failure(() => cursor([0x80, 0x80, 0x80, 0x80, 0x20]).s33('t'))).toMatchObject({
      reason: 'integer_overflow',
      offset: 4,
    });
  });
});

describe('name', () => {
  it('decodes UTF-8 and keeps a leading byte-order mark', () => {
    expect(cursor([3, 0xef, 0xbb, 0xbf]).name('n')).toBe('\ufeff');
    expect(cursor([2, 0xc3, 0xbc]).name('n')).toBe('ü');
  });

  it('refuses invalid UTF-8 at the start of the name', () => {
    expect(failure(() => cursor([2, 0xc3, 0x28]).name('the name'))).toMatchObject({
      reason: 'invalid_utf8',
      offset: 1,
      message: 'the name is not valid UTF-8 at offset 1 (in the test input)',
    });
  });

  it('refuses a length beyond the window', () => {
    expect(failure(() => cursor([5, 0x61]).name('the name'))).toMatchObject({
      reason: 'unexpected_end',
      offset: 1,
      message: 'the name is 5 bytes long but only 1 remain at offset 1 (in the test input)',
    });
  });
});

it('sub refuses a window larger than what remains', () => {
  expect(failure(() => cursor([1, 2]).sub(3, 'x'))).toMatchObject({ reason: 'unexpected_end', offset: 0 });
});
