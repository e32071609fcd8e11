import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GUESTS_DIR, guestBytes, listGuests } from './catalogue.js';
import { createDirectPlugin } from './direct-host.js';
import { runConformanceTable } from './conformance.js';

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
});

describe('conformance table', () => {
  const conforming = listGuests().filter((guest) => guest.conformance);

  it.each(conforming.map((guest) => [guest.name]))('%s answers every row', async (name) => {
    const results = await runConformanceTable(guestBytes(name));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results.length).toBeGreaterThan(1);
  });
});

describe('plain Extism guest', () => {
  it('wat-plain echoes, reverses and measures bytes, UTF-8 intact', async () => {
    const { plugin } = await createDirectPlugin(guestBytes('wat-plain'));
    try {
      expect((await plugin.call('echo', 'héllo 🌍'))?.text()).toBe('héllo 🌍');
      expect((await plugin.call('reverse', 'abc'))?.text()).toBe('cba');
      expect((await plugin.call('byte_length', 'héllo'))?.text()).toBe('6');
      expect((await plugin.call('byte_length', ''))?.text()).toBe('0');
      expect(await plugin.functionExists('manifest')).toBe(false);
    } finally {
      await plugin.close();
    }
  });
});

it('conformance.json is well-formed', () => {
  const table = JSON.parse(readFileSync(`${GUESTS_DIR}conformance.json`, 'utf8')) as { rows: unknown[] };
  expect(table.rows.length).toBeGreaterThanOrEqual(4);
});
