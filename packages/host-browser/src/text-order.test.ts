import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCodePoints } from './text-order.js';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

describe('compareCodePoints', () => {
  it('orders as UTF-8 bytes do, for every pair of strings (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(Buffer.compare(utf8(a), utf8(b))));
      }),
      { numRuns: 2000 },
    );
  });

  it('puts a character beyond U+FFFF after U+FFFD, where UTF-16 order puts it before', () => {
    expect('😀' < '\ufffd').toBe(true);
    expect(compareCodePoints('😀', '\ufffd')).toBeGreaterThan(0);
    expect(['b', '😀', '\ufffd', 'a', 'ab'].sort(compareCodePoints)).toEqual([
      'a',
      'ab',
      'b',
      '\ufffd',
      '😀',
    ]);
  });
});
