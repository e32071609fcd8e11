import { guestBytes, listGuests } from '@plinth/guests';
import { describe, expect, it } from 'vitest';
import { createDirectPlugin } from './direct-host.js';
import { runConformanceTable } from './conformance.js';

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
