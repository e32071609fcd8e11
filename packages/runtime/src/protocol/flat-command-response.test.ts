import fc from 'fast-check';
import { decodeCommandResponse } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { parseFlatCommandResponse } from './flat-command-response.js';

/** Flat objects of the four known keys (and an unknown one), values of every flat kind and some nested. */
const flatValue = fc.oneof(
  fc.boolean(),
  fc.constant(null),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('a"b', 'a\\b', '\n', 'é', '😀', '\u2028'),
  fc.integer(),
  fc.jsonValue(),
);
const render = (entries: readonly (readonly [string, unknown])[]) =>
  `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;
const anyEntries = fc.array(
  fc.tuple(fc.constantFrom('success', 'data', 'error', 'error_code', 'extra', '__proto__'), flatValue),
  { maxLength: 6 },
);
/** Mostly well-typed fields in any order, so most of these reach the reader's accepting path. */
const typedEntries = fc
  .tuple(
    fc.tuple(fc.constant('success'), fc.oneof(fc.boolean(), flatValue)),
    fc.tuple(fc.constant('data'), flatValue),
    fc.tuple(fc.constant('error'), fc.oneof(fc.string(), flatValue)),
    fc.tuple(fc.constant('error_code'), fc.oneof(fc.string(), flatValue)),
  )
  .chain((entries) => fc.shuffledSubarray<readonly [string, unknown]>(entries));
const flatText = fc.oneof(anyEntries, { arbitrary: typedEntries, weight: 3 }).map(render);

describe('the flat CommandResponse reader', () => {
  it('never accepts what the schema refuses, and builds exactly what the schema builds', () => {
    fc.assert(
      fc.property(flatText, (text) => {
        const flat = parseFlatCommandResponse(text);
        if (flat === undefined) return;
        const schema = decodeCommandResponse(text);
        expect(schema.ok).toBe(true);
        if (!schema.ok) return;
        expect(flat).toStrictEqual(schema.value);
        expect(JSON.stringify(flat)).toBe(JSON.stringify(schema.value));
      }),
      { numRuns: 5_000 },
    );
  });

  it.each([
    ['{"success":true,"data":"pong"}', { success: true, data: 'pong' }],
    ['{"success":true}', { success: true }],
    ['{"data":null,"success":false}', { success: false, data: null }],
    [
      '{"error_code":"permission_denied","error":"no","success":false}',
      { success: false, error: 'no', error_code: 'permission_denied' },
    ],
    ['{"success":true,"data":"Zoë 😀 }{,:"}', { success: true, data: 'Zoë 😀 }{,:' }],
  ])('reads %s in schema order', (text, expected) => {
    const flat = parseFlatCommandResponse(text);
    expect(flat).toStrictEqual(expected);
    expect(JSON.stringify(flat)).toBe(JSON.stringify(expected));
  });

  it.each([
    ['a repeated key (JSON.parse keeps the last)', '{"success":true,"success":false}'],
    ['whitespace', '{ "success":true}'],
    ['an escape', '{"success":true,"data":"a\\"b"}'],
    ['a control character', '{"success":true,"data":"a\tb"}'],
    ['a number', '{"success":true,"data":1}'],
    ['nesting', '{"success":true,"data":{}}'],
    ['an unknown key', '{"success":true,"extra":1}'],
    ['a __proto__ key', '{"success":true,"__proto__":true}'],
    ['success of the wrong type', '{"success":"yes"}'],
    ['error of the wrong type', '{"success":false,"error":true}'],
    ['no success', '{"data":"x"}'],
    ['a trailing comma', '{"success":true,}'],
    ['a literal run on', '{"success":truex}'],
    ['an unclosed string', '{"success":true,"data":"x}'],
    ['an empty object', '{}'],
    ['an array', '[true]'],
    ['empty text', ''],
  ])('leaves %s to the general reader', (_, text) => {
    expect(parseFlatCommandResponse(text)).toBeUndefined();
  });
});
