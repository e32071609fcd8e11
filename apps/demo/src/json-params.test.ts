import { describe, expect, it } from 'vitest';
import { jsonErrorPosition, parseParams } from './json-params.js';

describe('run params', () => {
  it('parses JSON, and absent params are null', () => {
    expect(parseParams('{"path":"ideas.md"}')).toEqual({ ok: true, value: { path: 'ideas.md' } });
    expect(parseParams(undefined)).toEqual({ ok: true, value: null });
    expect(parseParams(' 42 ')).toEqual({ ok: true, value: 42 });
  });

  it('shows where the JSON breaks, with a caret', () => {
    const result = parseParams('{"path":}');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toBe(
      `params are not valid JSON: Unexpected token '}' at line 1, column 9 (position 8)\n    {"path":}\n            ^`,
    );
  });

  it.each([
    ['{', 1],
    ['', 0],
    ['[1,2', 4],
    ['{"a":1}x', 7],
    ['{"a":1,}', 7],
    ['{\n  "a": tru\n}', 12],
    ['"\\q"', 2],
    ['-', 0],
    ['{"a":"\u0001"}', 6],
  ])('finds the error position in %j', (text, position) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(jsonErrorPosition(text)).toBe(position);
  });

  it('reports line and column on multi-line input', () => {
    const result = parseParams('{\n  "a": tru\n}');
    expect(result.ok ? '' : result.message).toBe(
      'params are not valid JSON: Unexpected token \'\\n\' at line 2, column 11 (position 12)\n      "a": tru\n              ^',
    );
  });

  it('refuses params nested deeper than 256 levels before parsing, pointing at the level past the limit', () => {
    const deep = `{"a":${'['.repeat(60_000)}1${']'.repeat(60_000)}}`;
    const result = parseParams(deep);
    expect(result).toEqual({
      ok: false,
      message: `[invalid_params] params nest 60001 levels deep; the limit is 256: level 257 opens at line 1, column 261 (position 260)\n    …${'['.repeat(80)}…\n     ${' '.repeat(40)}^`,
    });
    expect(parseParams(`${'['.repeat(256)}${']'.repeat(256)}`).ok).toBe(true);
    // Unterminated deep text is refused for its depth too, never by a stack overflow.
    expect(parseParams('['.repeat(100_000)).ok).toBe(false);
  });

  it('cuts a long line around the caret', () => {
    const result = parseParams(`["${'x'.repeat(100)}", tru]`);
    expect(result.ok ? '' : result.message).toBe(
      `params are not valid JSON: Unexpected token ']' at line 1, column 109 (position 108)\n    …${'x'.repeat(34)}", tru]\n     ${' '.repeat(40)}^`,
    );
  });
});
