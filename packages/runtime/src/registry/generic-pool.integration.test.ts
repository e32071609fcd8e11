import { describe, expect, it } from 'vitest';
import { kvGuest } from '../node/__fixtures__/generic-guests.js';
import { createIsolatedLane } from '../node/isolated-lane.js';
import type { UserFunctions } from '../generic/user-functions.js';
import { openGenericPluginHandle } from './generic-plugin-handle.js';
import { openPooledPlugin } from './pooled-plugin.js';
import { PluginRegistry } from './plugin-registry.js';

/**
 * kv_write waits until `parties` writes are in flight at once: only calls running on as many instances
 * at the same time can all finish (one instance runs one call at a time).
 */
function barrierKv(parties: number): { functions: UserFunctions; store: Map<string, string> } {
  const store = new Map<string, string>();
  let arrived = 0;
  let release: () => void = () => undefined;
  const everyone = new Promise<void>((resolve) => (release = resolve));
  return {
    store,
    functions: {
      'extism:host/user': {
        kv_read: (ctx, key) => {
          const value = store.get(ctx.readString(key));
          return value === undefined ? 0n : ctx.store(value);
        },
        kv_write: async (ctx, key, value) => {
          store.set(ctx.readString(key), ctx.readString(value));
          arrived += 1;
          if (arrived === parties) release();
          await everyone;
        },
      },
    },
  };
}

describe('generic Extism plugins in a pool', () => {
  it('spreads raw export calls over the instances with spreadExportCalls', { timeout: 30_000 }, async () => {
    const { functions, store } = barrierKv(2);
    const registry = new PluginRegistry();
    const bytes = await kvGuest();
    try {
      await registry.load('acme.kv', () =>
        openPooledPlugin({
          open: openGenericPluginHandle({
            id: 'acme.kv',
            version: '1.0.0',
            source: { bytes },
            functions,
            lane: createIsolatedLane,
          }),
          min: 2,
          max: 2,
          spreadExportCalls: true,
        }),
      );
      // Both writes wait for each other inside kv_write: they end only if two instances serve them.
      await Promise.all([registry.call('acme.kv', 'write', 'a'), registry.call('acme.kv', 'write', 'b')]);
      expect([...store.keys()].sort()).toEqual(['a', 'b']);
      const read = await registry.call('acme.kv', 'read', 'a');
      expect(read === null ? null : new TextDecoder().decode(read)).toBe('a');
    } finally {
      await registry.close();
    }
  });

  it('refuses raw export calls on a pool of several instances without it', async () => {
    const registry = new PluginRegistry();
    const bytes = await kvGuest();
    try {
      await registry.load('acme.kv', () =>
        openPooledPlugin({
          open: openGenericPluginHandle({
            id: 'acme.kv',
            source: { bytes },
            functions: barrierKv(1).functions,
          }),
          min: 2,
        }),
      );
      await expect(registry.call('acme.kv', 'read', 'a')).rejects.toMatchObject({ code: 'not_handled' });
    } finally {
      await registry.close();
    }
  });
});
