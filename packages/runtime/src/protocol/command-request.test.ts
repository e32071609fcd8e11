import fc from 'fast-check';
import type { JsonValue } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { createCommandRequestEncoder, utf8Bytes } from './command-request.js';

const expected = (command: string, params: unknown) =>
  new TextEncoder().encode(JSON.stringify({ command, params }));

describe('createCommandRequestEncoder', () => {
  it('writes what JSON.stringify({ command, params }) writes, as UTF-8, for any command and params', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.option(fc.jsonValue()), (command, params) => {
        const encoder = createCommandRequestEncoder(command);
        expect(encoder.encode(params as JsonValue | null)).toEqual(expected(command, params));
      }),
      { numRuns: 1_000 },
    );
  });

  it('leaves out params JSON cannot hold, as JSON.stringify does', () => {
    const params = (() => undefined) as unknown as JsonValue;
    expect(new TextDecoder().decode(createCommandRequestEncoder('ping').encode(params))).toBe(
      '{"command":"ping"}',
    );
  });

  it('throws what JSON.stringify throws for params it cannot write', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => createCommandRequestEncoder('ping').encode(cyclic as JsonValue)).toThrow(TypeError);
  });
});

describe('utf8Bytes', () => {
  it('matches TextEncoder for any text, short or long, ASCII or not (lone surrogates included)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 600 }), fc.string({ maxLength: 1_200 })),
        (text) => {
          expect(utf8Bytes(text)).toEqual(new TextEncoder().encode(text));
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
