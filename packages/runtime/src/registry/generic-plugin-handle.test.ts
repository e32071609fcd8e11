import { describe, expect, it } from 'vitest';
import { hogGuest, kvGuest } from '../node/__fixtures__/generic-guests.js';
import type { UserFunctions } from '../generic/user-functions.js';
import { openGenericPluginHandle } from './generic-plugin-handle.js';
import { PluginRegistry, type CallRecord, type RegistryChange } from './plugin-registry.js';

const decoder = new TextDecoder();

function kvFunctions(suffix: string, store = new Map<string, string>()): UserFunctions {
  return {
    'extism:host/user': {
      kv_read: (context, key) => {
        const value = store.get(context.readString(key));
        return value === undefined ? 0n : context.store(`${value}${suffix}`);
      },
      kv_write: (context, key, value) => void store.set(context.readString(key), context.readString(value)),
    },
  };
}

describe('generic Extism plugins in the registry', () => {
  it('loads, calls raw exports with a host context, records calls, and hot-reloads', async () => {
    const records: CallRecord[] = [];
    const changes: RegistryChange[] = [];
    const registry = new PluginRegistry({
      onCall: (record) => records.push(record),
      onChange: (c) => changes.push(c),
    });
    const store = new Map<string, string>();
    const bytes = await kvGuest();
    try {
      const info = await registry.load(
        'acme.kv',
        openGenericPluginHandle({
          id: 'acme.kv',
          version: '1.0.0',
          source: { bytes },
          functions: kvFunctions('', store),
        }),
      );
      expect(info).toMatchObject({ id: 'acme.kv', version: '1.0.0', state: 'active', manifest: undefined });
      await registry.call('acme.kv', 'write', 'k');
      expect(decoder.decode((await registry.call('acme.kv', 'read', 'k')) ?? new Uint8Array())).toBe('k');
      await registry.reload(
        'acme.kv',
        openGenericPluginHandle({
          id: 'acme.kv',
          version: '1.1.0',
          source: { bytes },
          functions: kvFunctions(' (v2)', store),
        }),
      );
      expect(decoder.decode((await registry.call('acme.kv', 'read', 'k')) ?? new Uint8Array())).toBe(
        'k (v2)',
      );
      expect(registry.get('acme.kv')?.version).toBe('1.1.0');
      expect(records.map((r) => `${r.kind}:${r.name}:${r.pluginVersion}:${r.outcome}`)).toEqual([
        'call:write:1.0.0:ok',
        'call:read:1.0.0:ok',
        'call:read:1.1.0:ok',
      ]);
      expect(changes.map((c) => c.type)).toEqual(['loaded', 'reloaded']);
      await expect(registry.command('acme.kv', 'ping')).rejects.toMatchObject({ code: 'not_handled' });
    } finally {
      await registry.close();
    }
  });

  it('quarantines a generic plugin that keeps failing; a missing export does not count', async () => {
    const registry = new PluginRegistry({ failurePolicy: { maxConsecutiveFailures: 2 } });
    try {
      await registry.load(
        'acme.hog',
        openGenericPluginHandle({
          id: 'acme.hog',
          source: { bytes: await hogGuest() },
          limits: { hostMemoryMaxPages: 16 },
        }),
      );
      for (let i = 0; i < 3; i++) {
        await expect(registry.call('acme.hog', 'nope')).rejects.toMatchObject({ code: 'not_handled' });
      }
      expect(registry.get('acme.hog')?.state).toBe('active');
      await expect(registry.call('acme.hog', 'hog')).rejects.toMatchObject({ code: 'out_of_memory' });
      await expect(registry.call('acme.hog', 'hog')).rejects.toMatchObject({ code: 'out_of_memory' });
      expect(registry.get('acme.hog')?.state).toBe('quarantined');
      await expect(registry.call('acme.hog', 'hog')).rejects.toMatchObject({ code: 'quarantined' });
    } finally {
      await registry.close();
    }
  });
});
