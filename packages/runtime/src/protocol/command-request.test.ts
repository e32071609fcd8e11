import fc from 'fast-check';
import { MAX_JSON_DEPTH, type JsonValue } from '@plinth/protocol';
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

  it('refuses params JSON cannot write as invalid_params naming the plugin, the command and why', () => {
    const context = { pluginId: 'acme.x', pluginVersion: '1.0.0', exportName: 'handle_command' };
    const encoder = createCommandRequestEncoder('ping', context);
    const cyclic: Record<string, unknown> = { list: [] };
    (cyclic['list'] as unknown[]).push(cyclic);
    expect(() => encoder.encode(cyclic as JsonValue)).toThrow(
      expect.objectContaining({
        code: 'invalid_params',
        message:
          'plugin acme.x@1.0.0 (handle_command) command "ping": params cannot be JSON: the value at $ contains itself',
        context: { ...context, limit: 'MAX_JSON_DEPTH' },
      }),
    );
    expect(() => encoder.encode({ n: 1n } as unknown as JsonValue)).toThrow(
      expect.objectContaining({
        code: 'invalid_params',
        message: expect.stringMatching(
          /^plugin acme\.x@1\.0\.0 \(handle_command\) command "ping": params cannot be JSON: .*BigInt/,
        ) as unknown,
        context,
      }),
    );
  });

  it('refuses params nested deeper than MAX_JSON_DEPTH, however deep, with the path', () => {
    const encoder = createCommandRequestEncoder('ping', { pluginId: 'acme.x' });
    for (const levels of [257, 100_000]) {
      let params: JsonValue = 'leaf';
      for (let i = 0; i < levels; i++) params = i % 2 === 0 ? [params] : { 'a b': params };
      expect(() => encoder.encode(params)).toThrow(
        expect.objectContaining({
          code: 'invalid_params',
          message: expect.stringMatching(
            /^plugin acme\.x command "ping": params nested deeper than 256 levels: level 257 opens at \$/,
          ) as unknown,
        }),
      );
    }
    let atLimit: JsonValue = 'leaf';
    for (let i = 0; i < MAX_JSON_DEPTH; i++) atLimit = [atLimit];
    expect(encoder.encode(atLimit)).toEqual(expected('ping', atLimit));
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
