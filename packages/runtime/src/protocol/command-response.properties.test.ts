import fc from 'fast-check';
import { decodeCommandResponse, PlinthError } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { parseValidCommandResponse, readCommandResponse } from './command-response.js';

const context = { pluginId: 'acme.x', pluginVersion: '1.0.0', exportName: 'handle_command' };
const utf8 = (text: string) => new TextEncoder().encode(text);

/** Field values: the right types, wrong types, and the values zod refuses that JSON.parse can produce. */
const anyField = fc.oneof(fc.jsonValue(), fc.constantFrom('1e999', '-1e999', '{"__proto__":1}'));
const responseText = fc.oneof(
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string(),
  fc
    .record(
      {
        success: fc.oneof(fc.boolean(), anyField),
        data: fc.oneof(fc.jsonValue(), anyField),
        error: fc.oneof(fc.string(), anyField),
        error_code: fc.oneof(fc.constantFrom('permission_denied', 'config_error'), fc.string(), anyField),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )
    // Rendered by hand so the special literals above reach JSON.parse as written.
    .map(
      (fields) =>
        `{${Object.entries(fields)
          .map(
            ([key, value]) =>
              `${JSON.stringify(key)}:${typeof value === 'string' && /^-?1e999$|^\{"__proto__"/.test(value) ? value : JSON.stringify(value)}`,
          )
          .join(',')}}`,
    ),
);

describe('the CommandResponse fast path', () => {
  it('never accepts what the schema refuses, and builds exactly what the schema builds', () => {
    fc.assert(
      fc.property(responseText, (text) => {
        const fast = parseValidCommandResponse(text);
        if (fast === undefined) return;
        const schema = decodeCommandResponse(text);
        expect(schema.ok).toBe(true);
        if (!schema.ok) return;
        expect(fast).toStrictEqual(schema.value);
        expect(JSON.stringify(fast)).toBe(JSON.stringify(schema.value));
      }),
      { numRuns: 2_000 },
    );
  });

  it('answers exactly as the schema alone would, value or invalid_output', () => {
    fc.assert(
      fc.property(responseText, (text) => {
        const schema = decodeCommandResponse(text);
        let read: unknown;
        try {
          read = readCommandResponse(utf8(text), context);
        } catch (error) {
          read = error;
        }
        if (schema.ok) {
          expect(read).toStrictEqual(schema.value);
        } else {
          expect(PlinthError.isInstance(read)).toBe(true);
          expect(read).toMatchObject({
            code: 'invalid_output',
            message: `plugin acme.x@1.0.0 (handle_command) returned an invalid output: ${schema.error.message}`,
          });
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it.each([
    '{"success":true,"data":"pong"}',
    '{"success":false,"error":"no","error_code":"permission_denied"}',
    '{"success":true,"data":{"items":[1,2.5,"x",null,{"deep":[true]}]},"ignored":1}',
  ])('takes ordinary output without the schema: %s', (text) => {
    expect(parseValidCommandResponse(text)).toBeDefined();
  });

  it.each([
    ['{"success":true,"data":1e999}', /at data/],
    ['{"success":true,"data":{"a":[-1e999]}}', /at data/],
    ['{"success":1}', /at success: expected boolean, got number 1/],
    ['{"success":true,"error":7}', /at error: expected string, got number 7/],
    ['[]', /expected object, got an array/],
  ])('leaves %s to the schema, which refuses it with a clear message', (text, message) => {
    expect(parseValidCommandResponse(text)).toBeUndefined();
    const error = (() => {
      try {
        readCommandResponse(utf8(text), context);
      } catch (caught) {
        return caught;
      }
      throw new Error('expected invalid_output');
    })();
    expect(error).toMatchObject({ code: 'invalid_output', context });
    expect((error as Error).message).toMatch(message);
  });

  it('leaves an own __proto__ key in data to the schema', () => {
    const text = '{"success":true,"data":{"__proto__":{"polluted":true}}}';
    expect(parseValidCommandResponse(text)).toBeUndefined();
    const schema = decodeCommandResponse(text);
    const read = (() => {
      try {
        return readCommandResponse(utf8(text), context);
      } catch (error) {
        return error;
      }
    })();
    if (schema.ok) expect(read).toStrictEqual(schema.value);
    else expect(read).toMatchObject({ code: 'invalid_output' });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
