import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from './errors/protocol-error.js';
import { decodeJson, definePayload, expectValid } from './payload.js';
import { PAYLOADS } from './payloads/all.js';

const point = definePayload({
  name: 'Point',
  fileName: 'point',
  description: 'A test payload.',
  schema: z.object({ x: z.number().min(0), label: z.string().optional() }),
  codeByField: { x: 'invalid_version' },
});

describe('definePayload', () => {
  it('parses a valid value with no warnings', () => {
    expect(point.parse({ x: 1 })).toEqual({ ok: true, value: { x: 1 }, warnings: [] });
  });

  it('maps a rule broken by the first issue to the code of its field; a wrong type is invalid_payload', () => {
    const byField = point.parse({ x: -1 });
    expect(byField.ok || byField.error.code).toBe('invalid_version');
    const wrongType = point.parse({ x: 'one' });
    expect(wrongType.ok || wrongType.error.code).toBe('invalid_payload');
    const other = point.parse({ x: 1, label: 2 });
    expect(other.ok || other.error.code).toBe('invalid_payload');
  });

  it('uses plain words for missing and mistyped fields', () => {
    const missing = point.parse({});
    expect(missing.ok || missing.error.message).toBe('Invalid Point: at x: is required (expected number)');
    const mistyped = point.parse({ x: [1] });
    expect(mistyped.ok || mistyped.error.message).toBe('Invalid Point: at x: expected number, got an array');
    const longString = point.parse({ x: 'y'.repeat(100) });
    expect(longString.ok || longString.error.message).toContain(`got a string ("${'y'.repeat(40)}…")`);
  });

  it('lets postProcess warn and reshape', () => {
    const counted = definePayload<number, { items: string[] }>({
      name: 'Counted',
      fileName: 'counted',
      description: 'd',
      schema: z.object({ items: z.array(z.string()) }),
      postProcess: (value, warn, raw) => {
        if (value.items.length === 0) warn({ path: ['items'], message: 'empty' });
        expect(raw).toEqual(value);
        return value.items.length;
      },
    });
    expect(counted.parse({ items: [] })).toEqual({
      ok: true,
      value: 0,
      warnings: [{ path: ['items'], message: 'empty' }],
    });
    expect(counted.decode('{"items":["a","b"]}')).toEqual({ ok: true, value: 2, warnings: [] });
  });

  it('decodes "" as emptyText only when the payload declares one', () => {
    expect(point.decode('').ok).toBe(false);
    const withEmpty = definePayload({
      name: 'E',
      fileName: 'e',
      description: 'd',
      schema: z.object({}),
      emptyText: {},
    });
    expect(withEmpty.decode('')).toEqual({ ok: true, value: {}, warnings: [] });
  });
});

describe('decodeJson', () => {
  it('parses JSON text', () => {
    expect(decodeJson('[1,"a",null]', 'X')).toEqual({ ok: true, value: [1, 'a', null], warnings: [] });
  });

  it('answers invalid_json with a short preview of long text', () => {
    const text = `{${'"k": 1, '.repeat(20)}`;
    const result = decodeJson(text, 'GuestManifest');
    if (result.ok) throw new Error('expected a failure');
    expect(result.error.code).toBe('invalid_json');
    expect(result.error.payload).toBe('GuestManifest');
    expect(result.error.message).toContain(`${JSON.stringify(text.slice(0, 60) + '…')}`);
  });

  it('answers invalid_json, not a throw, for a non-string input', () => {
    for (const input of [undefined, 42, { a: 1 }, new Uint8Array([123, 125])]) {
      const result = point.decode(input as unknown as string);
      if (result.ok) throw new Error('expected a failure');
      expect(result.error.code).toBe('invalid_json');
      expect(result.error.message).toMatch(/expected JSON text, got /);
    }
  });
});

describe('expectValid', () => {
  it('returns the value or throws the ProtocolError', () => {
    expect(expectValid(point.parse({ x: 3 }))).toEqual({ x: 3 });
    expect(() => expectValid(point.parse({}))).toThrow(ProtocolError);
  });
});

describe('PAYLOADS', () => {
  it('lists each payload once with a unique name and file name', () => {
    expect(PAYLOADS.map((p) => p.name)).toEqual([
      'GuestManifest',
      'InitContext',
      'GuestEvent',
      'CommandRequest',
      'CommandResponse',
      'PluginConfig',
      'ConfigReconcile',
      'Policy',
    ]);
    expect(new Set(PAYLOADS.map((p) => p.fileName)).size).toBe(PAYLOADS.length);
    for (const payload of PAYLOADS) expect(payload.fileName).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it('names the payload in every error', () => {
    for (const payload of PAYLOADS) {
      const result = payload.decode('{');
      expect(result.ok || result.error.message.startsWith(`Invalid ${payload.name}: `)).toBe(true);
    }
  });
});
