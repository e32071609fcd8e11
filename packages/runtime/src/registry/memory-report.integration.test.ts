import { describe, expect, it } from 'vitest';
import { kvGuest } from '../node/__fixtures__/generic-guests.js';
import { createIsolatedLane } from '../node/isolated-lane.js';
import type { UserFunctions } from '../generic/user-functions.js';
import { openGenericPluginHandle } from './generic-plugin-handle.js';
import { PluginRegistry } from './plugin-registry.js';

const functions: UserFunctions = {
  'extism:host/user': { kv_read: () => 0n, kv_write: () => undefined },
};

describe("a plugin's linear memory in the registry's view", () => {
  it.each([
    ['in-thread', undefined],
    ['isolated', createIsolatedLane],
  ] as const)('is reported for the %s lane', { timeout: 30_000 }, async (lane, factory) => {
    const registry = new PluginRegistry();
    try {
      await registry.load(
        'acme.kv',
        openGenericPluginHandle({
          id: 'acme.kv',
          source: { bytes: await kvGuest() },
          functions,
          ...(factory ? { lane: factory } : {}),
        }),
      );
      // The isolated lane learns it when a call ends; in-thread it is read live.
      if (lane === 'isolated') expect(registry.get('acme.kv')?.memoryBytes).toBeUndefined();
      await registry.call('acme.kv', 'read', 'x');
      // The kv guest declares one page.
      expect(registry.get('acme.kv')?.memoryBytes).toBe(65_536);
    } finally {
      await registry.close();
    }
  });
});
