import { createAllowAllChecker, createPolicyChecker, PolicyStore } from '@plinth/permissions';
import { describe, expect, it } from 'vitest';
import { decodeBase64Strict, encodeBase64 } from './base64.js';
import type { HostAnswer, HostCallContext } from '../bundle/host-bundle.js';
import {
  createStorageBundle,
  storageQuotaFromPolicy,
  storedTextProblem,
  type KeyValueStore,
} from './storage.js';

const context: HostCallContext = { pluginId: 'acme.notes', exportName: 'handle_command' };

/** A store that fails the test if it is touched. */
const untouchable: KeyValueStore = {
  get: () => {
    throw new Error('store read before the permission check');
  },
  set: () => {
    throw new Error('store written before the permission check');
  },
  delete: () => {
    throw new Error('store deleted before the permission check');
  },
};

const mapStore = (): KeyValueStore & { map: Map<string, Uint8Array> } => {
  const map = new Map<string, Uint8Array>();
  // JSON of the pair: unambiguous, fine for a test double.
  const id = (pluginId: string, key: string) => JSON.stringify([pluginId, key]);
  return {
    map,
    get: (pluginId, key) => map.get(id(pluginId, key)),
    set: (pluginId, key, value) => void map.set(id(pluginId, key), value),
    delete: (pluginId, key) => map.delete(id(pluginId, key)),
  };
};

describe('base64 helpers', () => {
  it.each(['', 'QQ==', 'QUI=', 'QUJD', '/+8A'])('round-trips %j', (text) => {
    const bytes = decodeBase64Strict(text);
    expect(bytes).toBeDefined();
    expect(encodeBase64(bytes ?? new Uint8Array())).toBe(text);
  });

  it.each(['Q', 'QQ', 'QQ=', '%%%', 'QUJD\n', ' QUJD', 'QU=D', 'QUJD===='])('refuses %j', (text) => {
    expect(decodeBase64Strict(text)).toBeUndefined();
  });

  it('encodes values larger than the argument stack', () => {
    const bytes = Uint8Array.from({ length: 300_000 }, (_, index) => index % 251);
    const text = encodeBase64(bytes);
    expect(text).toBe(Buffer.from(bytes).toString('base64'));
    expect(Buffer.from(decodeBase64Strict(text) ?? []).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('storedTextProblem', () => {
  it('accepts well-formed text, including astral characters', () => {
    expect(storedTextProblem('key', 'Zoë 🌍')).toBeUndefined();
  });
  it.each([
    ['\udc00x', 'key must be valid Unicode (it contains a lone surrogate)'],
    ['x\ud83c', 'key must be valid Unicode (it contains a lone surrogate)'],
    ['a\0', 'key must not contain a NUL character'],
  ])('names the problem of %j', (value, problem) => {
    expect(storedTextProblem('key', value)).toBe(problem);
  });
});

describe('createStorageBundle', () => {
  it('checks the permission before touching the store', () => {
    const permissions = createPolicyChecker({
      policy: {
        plugins: { 'acme.notes': { permissions: { plugin_storage: { include: [], exclude: ['all'] } } } },
      },
    });
    const bundle = createStorageBundle({ store: untouchable, permissions });
    expect(bundle.host_storage_get?.({ key: 'k' }, context)).toBe('');
    expect(bundle.host_storage_set?.({ key: 'k', data: 'QQ==' }, context)).toEqual({
      failure: "Permission denied for plugin 'acme.notes': plugin_storage on 'k'",
    });
  });

  it('follows a PolicyStore quota without a restart', () => {
    const policies = new PolicyStore({ plugins: {} });
    const store = mapStore();
    const bundle = createStorageBundle({
      store,
      permissions: createAllowAllChecker(),
      quotaFor: storageQuotaFromPolicy(policies, 2),
    });
    const set = (data: string): HostAnswer | Promise<HostAnswer> | undefined =>
      bundle.host_storage_set?.({ key: 'k', data }, context);
    expect(set('QUJD')).toEqual({
      failure: "value of 3 bytes exceeds the storage quota of 2 bytes for plugin 'acme.notes'",
    });
    policies.set({
      plugins: { 'acme.notes': { permissions: { plugin_storage: { include: ['all'], quota_bytes: 3 } } } },
    });
    expect(set('QUJD')).toBe('');
    expect(store.map.size).toBe(1);
  });

  it('refuses to store when the host quota is misconfigured', () => {
    const bundle = createStorageBundle({
      store: mapStore(),
      permissions: createAllowAllChecker(),
      quotaFor: () => -1,
    });
    expect(bundle.host_storage_set?.({ key: 'k', data: 'QQ==' }, context)).toEqual({
      failure: 'the storage quota for this plugin is misconfigured on the host',
    });
  });

  it('lets a backend failure propagate, for the runtime to answer as an internal error', () => {
    const failing: KeyValueStore = {
      ...untouchable,
      get: () => {
        throw new Error('disk I/O error');
      },
    };
    const bundle = createStorageBundle({ store: failing, permissions: createAllowAllChecker() });
    expect(() => bundle.host_storage_get?.({ key: 'k' }, context)).toThrow('disk I/O error');
  });
});

describe('storageQuotaFromPolicy', () => {
  it('refuses a bad host default when it is set up, not on the first write', () => {
    expect(() => storageQuotaFromPolicy({ plugins: {} }, -5)).toThrow(
      'storageQuotaFromPolicy: option `hostDefaultBytes` must be a whole number from 0 (unlimited) to 1073741824 (1 GiB) (got -5)',
    );
  });

  it('reads a function source on every call', () => {
    let quota = 5;
    const quotaFor = storageQuotaFromPolicy(() => ({
      plugins: {
        'acme.notes': {
          permissions: { plugin_storage: { include: ['all'], exclude: [], quota_bytes: quota } },
        },
      },
    }));
    expect(quotaFor('acme.notes')).toBe(5);
    quota = 0;
    expect(quotaFor('acme.notes')).toBe(0);
    expect(quotaFor('acme.other')).toBe(1024 * 1024);
  });
});
