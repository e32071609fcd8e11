import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GUESTS_DIR, getGuest, guestBytes, guestPath, listGuests } from './catalogue.js';
import { loadConformanceTable } from './conformance-table.js';

describe('guest corpus', () => {
  it('records every committed module with its true checksum and size', () => {
    const guests = listGuests();
    expect(guests.length).toBeGreaterThan(0);
    for (const guest of guests) {
      const bytes = guestBytes(guest.name);
      expect(createHash('sha256').update(bytes).digest('hex'), guest.name).toBe(guest.sha256);
      expect(bytes.length, guest.name).toBe(guest.size);
      expect(
        existsSync(`${GUESTS_DIR}${guest.path.replace(/plugin\.wasm$/, guest.source)}`),
        guest.name,
      ).toBe(true);
    }
  });

  it('compiles every guest (refusals happen at load, not compile)', async () => {
    for (const guest of listGuests()) {
      await expect(WebAssembly.compile(guestBytes(guest.name)), guest.name).resolves.toBeInstanceOf(
        WebAssembly.Module,
      );
    }
  });

  it('filters by kind and language, and every guest is in exactly one kind', () => {
    const golden = listGuests({ kind: 'golden' });
    expect(golden.map((guest) => guest.name)).toContain('c-protocol');
    expect(golden.every((guest) => guest.kind === 'golden')).toBe(true);
    expect(listGuests({ kind: 'golden', language: 'wat' }).map((guest) => guest.name)).toEqual([
      'wat-protocol',
    ]);
    const perKind = (['golden', 'hostile', 'plain'] as const).map((kind) => listGuests({ kind }).length);
    expect(perKind.reduce((a, b) => a + b)).toBe(listGuests().length);
  });

  it('locates a guest by name inside the corpus folder', () => {
    expect(guestPath('wat-plain')).toBe(join(GUESTS_DIR, 'plain', 'wat-plain', 'plugin.wasm'));
    expect(getGuest('wat-plain')).toMatchObject({ kind: 'plain', language: 'wat' });
  });
});

describe('bad input', () => {
  it('names the known guests for an unknown name', () => {
    expect(() => getGuest('c-protocl')).toThrow(
      expect.objectContaining({
        code: 'invalid_options',
        message: expect.stringMatching(/^getGuest: no guest named "c-protocl"; known: .*\bc-protocol\b/),
      }),
    );
    expect(() => guestBytes('nope')).toThrow(/no guest named "nope"/);
  });

  it('refuses a filter it does not know', () => {
    expect(() => listGuests({ kind: 'golen' as never })).toThrow(
      expect.objectContaining({
        code: 'invalid_options',
        message: expect.stringMatching(/^listGuests: option `kind`/),
      }),
    );
    expect(() => listGuests({ langauge: 'c' } as never)).toThrow(/option `langauge` is unknown/);
  });
});

it('conformance.json is well-formed', () => {
  const table = loadConformanceTable();
  expect(table.rows.length).toBeGreaterThanOrEqual(4);
  expect(table.manifest.commands).toEqual(expect.arrayContaining(['ping', 'echo', 'greet', 'time']));
});
