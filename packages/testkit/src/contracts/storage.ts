import {
  createAllowAllChecker,
  createMemoryAuditSink,
  createPolicyChecker,
  type PermissionChecker,
} from '@plinth/permissions';
import type { HostFunctionName } from '@plinth/protocol';
import {
  createSecretsBundle,
  createStorageBundle,
  storageQuotaFromPolicy,
  type HostBundle,
  type KeyValueStore,
  type SecretStore,
} from '@plinth/host-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeReadFor, wireCallFor } from './subject-timing.js';
import { callWireAny } from './wire.js';

/**
 * What a storage backend under test provides: both stores of one backend, so they can be told apart.
 * Stores may answer at once or with promises; `synchronous: true` says they answer at once, and the
 * suites then fail any answer or read that arrives as a promise (and run their synchronous-only tests).
 */
export interface StorageContractSubject {
  storage: KeyValueStore;
  secrets: SecretStore;
  synchronous?: boolean | undefined;
  /** Called (and awaited) after each test. */
  close?(): void | Promise<void>;
}

/** Builds a fresh StorageContractSubject for one test. */
export type StorageSubjectFactory = () => StorageContractSubject | Promise<StorageContractSubject>;

const base64 = (bytes: Uint8Array | string) =>
  Buffer.from(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes).toString('base64');
const dataAnswer = (value: Uint8Array | string) => JSON.stringify({ data: base64(value) });

/** Runs `body` with a fresh subject per test, closed (and awaited) afterwards. */
export function withContractSubject<
  S extends {
    /** Called (and awaited) after each test. */
    close?(): void | Promise<void>;
  },
>(make: () => S | Promise<S>): () => S {
  let subject: S | undefined;
  beforeEach(async () => {
    subject = await make();
  });
  afterEach(async () => {
    const closing = subject;
    subject = undefined;
    await closing?.close?.();
  });
  return () => {
    if (subject === undefined) throw new Error('the contract subject is only available inside a test');
    return subject;
  };
}

const allowAll = createAllowAllChecker();
const deniedStorage = (pluginId: string): PermissionChecker =>
  createPolicyChecker({
    policy: {
      plugins: { [pluginId]: { permissions: { plugin_storage: { include: [], exclude: ['all'] } } } },
    },
  });

/** Scoping pairs that a joined or folded key encoding would confuse. */
export const COLLIDING_SCOPES: readonly (readonly [pluginId: string, key: string])[] = [
  ['a.b', 'c:d'],
  ['a.b:c', 'd'],
  ['a.b', 'c/d'],
  ['a.b/c', 'd'],
  ['a_b', 'c'],
  ['a/b', 'c'],
  ['a.b', ':c'],
  ['a.b:', 'c'],
  ['a.b', 'C'],
  ['A.b', 'c'],
];

/** The contract every `KeyValueStore` must meet, through `createStorageBundle` at the wire. */
export function describeStorageContract(label: string, makeSubject: StorageSubjectFactory): void {
  describe(`storage contract: ${label}`, () => {
    const subject = withContractSubject(makeSubject);
    const bundle = (options: Partial<Parameters<typeof createStorageBundle>[0]> = {}) =>
      createStorageBundle({ permissions: allowAll, ...options, store: subject().storage });
    const wire = wireCallFor(subject);
    const read = storeReadFor(subject);
    const set = (b: HostBundle, pluginId: string, key: string, data: string) =>
      wire(b, 'host_storage_set', { key, data }, pluginId);
    const get = (b: HostBundle, pluginId: string, key: string) =>
      wire(b, 'host_storage_get', { key }, pluginId);

    it('round-trips a value and answers "" for an absent key', async () => {
      const b = bundle();
      expect(await get(b, 'acme.notes', 'greeting')).toBe('');
      expect(await set(b, 'acme.notes', 'greeting', base64('Zoë 🌍'))).toBe('');
      expect(await get(b, 'acme.notes', 'greeting')).toBe(dataAnswer('Zoë 🌍'));
    });

    it('answers at once when the subject is synchronous (else in order, through promises)', async () => {
      const b = bundle();
      const calls = [
        () => callWireAny(b, 'host_storage_get', { key: 'greeting' }, 'acme.notes'),
        () => callWireAny(b, 'host_storage_set', { key: 'greeting', data: base64('Zoë 🌍') }, 'acme.notes'),
        () => callWireAny(b, 'host_storage_get', { key: 'greeting' }, 'acme.notes'),
        () => callWireAny(b, 'host_storage_set', { key: 'greeting', data: '' }, 'acme.notes'),
      ];
      const answers: string[] = [];
      for (const call of calls) {
        const answer = call();
        // A synchronous store serves the in-thread lane: its bundle must never answer a promise.
        if (subject().synchronous === true) expect(answer).not.toBeInstanceOf(Promise);
        answers.push(await answer);
      }
      expect(answers).toEqual(['', '', dataAnswer('Zoë 🌍'), '']);
    });

    it('keeps every byte value and replaces on overwrite', async () => {
      const b = bundle();
      const all = Uint8Array.from({ length: 256 }, (_, index) => index);
      expect(await set(b, 'acme.notes', 'bytes', base64(all))).toBe('');
      expect(await get(b, 'acme.notes', 'bytes')).toBe(dataAnswer(all));
      expect(await set(b, 'acme.notes', 'bytes', base64('second'))).toBe('');
      expect(await get(b, 'acme.notes', 'bytes')).toBe(dataAnswer('second'));
    });

    it('deletes on empty data, and deleting an absent key succeeds', async () => {
      const b = bundle();
      await set(b, 'acme.notes', 'k', base64('v'));
      expect(await set(b, 'acme.notes', 'k', '')).toBe('');
      expect(await get(b, 'acme.notes', 'k')).toBe('');
      expect(await read(subject().storage.get('acme.notes', 'k'))).toBeUndefined();
      expect(await set(b, 'acme.notes', 'never-set', '')).toBe('');
    });

    it('keeps unusual but valid keys exact', async () => {
      const b = bundle();
      const keys = ['__proto__', 'constructor', 'Zoë 🌍', ' spaced ', 'a'.repeat(4096), '../x', '%2e%2e'];
      for (const [index, key] of keys.entries()) {
        expect(await set(b, 'acme.notes', key, base64(`v${index}`))).toBe('');
      }
      for (const [index, key] of keys.entries()) {
        expect(await get(b, 'acme.notes', key)).toBe(dataAnswer(`v${index}`));
      }
    });

    it('refuses keys it could not store exactly, naming the problem', async () => {
      const b = bundle();
      expect(await set(b, 'acme.notes', 'a\ud800', base64('x'))).toBe(
        'host_storage_set: key must be valid Unicode (it contains a lone surrogate)',
      );
      expect(await set(b, 'acme.notes', 'a\0b', base64('x'))).toBe(
        'host_storage_set: key must not contain a NUL character',
      );
      expect(await set(b, 'acme.notes', 'a'.repeat(4097), base64('x'))).toBe(
        'host_storage_set: key is 4097 characters long; at most 4096 are allowed',
      );
      expect(await get(b, 'acme.notes', 'a\ud800')).toBe('');
      expect(await set(b, 'acme.notes', '', base64('x'))).toBe(
        'host_storage_set: Invalid host_storage_set request: at key: key must be a non-empty string',
      );
    });

    it('answers bad base64 and malformed input with clear failures, writing nothing', async () => {
      const b = bundle();
      expect(await set(b, 'acme.notes', 'k', '%%%')).toBe(
        'host_storage_set: Invalid host_storage_set request: at data: must be standard base64',
      );
      expect(await wire(b, 'host_storage_set', '{"key":', 'acme.notes')).toMatch(
        /^host_storage_set: Invalid host_storage_set request: .+/,
      );
      expect(await wire(b, 'host_storage_get', '[]', 'acme.notes')).toBe('');
      expect(await get(b, 'acme.notes', 'k')).toBe('');
    });

    it('keeps plugin ids and keys apart exactly: no joined or folded encoding collides', async () => {
      const b = bundle();
      for (const [index, [pluginId, key]] of COLLIDING_SCOPES.entries()) {
        await set(b, pluginId, key, base64(`value ${index}`));
      }
      for (const [index, [pluginId, key]] of COLLIDING_SCOPES.entries()) {
        expect(await get(b, pluginId, key), `${pluginId} / ${key}`).toBe(dataAnswer(`value ${index}`));
      }
      expect(await get(b, 'a', 'b.c:d')).toBe('');
      expect(await get(b, 'a.b', 'c')).toBe('');
    });

    it("never lets one plugin read or overwrite another plugin's values", async () => {
      const b = bundle();
      await set(b, 'other.plugin', 'secret', base64('top secret'));
      for (const key of ['other.plugin:secret', '../other.plugin/secret', 'secret', 'other.plugin/secret']) {
        expect(await get(b, 'hostile.storage-other-plugin', key), key).toBe('');
      }
      await set(b, 'hostile.storage-other-plugin', 'secret', base64('overwritten?'));
      expect(await get(b, 'other.plugin', 'secret')).toBe(dataAnswer('top secret'));
    });

    it('answers a denied read quietly (audited) and a denied write with the denial, before any I/O', async () => {
      const audit = createMemoryAuditSink();
      await set(bundle(), 'acme.notes', 'k', base64('kept'));
      const b = bundle({ permissions: deniedStorage('acme.notes'), audit });
      expect(await get(b, 'acme.notes', 'k')).toBe('');
      expect(audit.decisions.map((d) => d.message)).toEqual([
        "Permission denied for plugin 'acme.notes': plugin_storage on 'k'",
      ]);
      expect(await set(b, 'acme.notes', 'k', base64('changed'))).toBe(
        "host_storage_set: Permission denied for plugin 'acme.notes': plugin_storage on 'k'",
      );
      expect(await read(subject().storage.get('acme.notes', 'k'))).toEqual(new TextEncoder().encode('kept'));
    });

    it('refuses a value over the default 1 MiB quota with a clear message, and accepts exactly 1 MiB', async () => {
      const b = bundle();
      expect(await set(b, 'acme.notes', 'big', base64(new Uint8Array(1024 * 1024 + 1)))).toBe(
        "host_storage_set: value of 1048577 bytes exceeds the storage quota of 1 MiB for plugin 'acme.notes'",
      );
      expect(await get(b, 'acme.notes', 'big')).toBe('');
      expect(await set(b, 'acme.notes', 'big', base64(new Uint8Array(1024 * 1024)))).toBe('');
      expect((await read(subject().storage.get('acme.notes', 'big')))?.length).toBe(1024 * 1024);
    });

    it("follows the policy's quota_bytes, 0 meaning unlimited", async () => {
      const policy = {
        plugins: {
          'acme.small': {
            permissions: { plugin_storage: { include: ['all'], exclude: [], quota_bytes: 10 } },
          },
          'acme.huge': { permissions: { plugin_storage: { include: ['all'], exclude: [], quota_bytes: 0 } } },
        },
      };
      const b = bundle({ quotaFor: storageQuotaFromPolicy(policy) });
      expect(await set(b, 'acme.small', 'k', base64('0123456789'))).toBe('');
      expect(await set(b, 'acme.small', 'k', base64('0123456789!'))).toBe(
        "host_storage_set: value of 11 bytes exceeds the storage quota of 10 bytes for plugin 'acme.small'",
      );
      expect(await get(b, 'acme.small', 'k')).toBe(dataAnswer('0123456789'));
      expect(await set(b, 'acme.huge', 'k', base64(new Uint8Array(2 * 1024 * 1024)))).toBe('');
    });

    it('answers promises only when ask is set', async () => {
      const b = bundle({ ask: true });
      const pending = callWireAny(
        b,
        'host_storage_set',
        JSON.stringify({ key: 'k', data: base64('v') }),
        'p.q',
      );
      expect(pending).toBeInstanceOf(Promise);
      expect(await pending).toBe('');
      expect(await callWireAny(b, 'host_storage_get', '{"key":"k"}', 'p.q')).toBe(dataAnswer('v'));
    });
  });
}

/** The contract every `SecretStore` must meet, through `createSecretsBundle` at the wire. */
export function describeSecretsContract(label: string, makeSubject: StorageSubjectFactory): void {
  describe(`secrets contract: ${label}`, () => {
    const subject = withContractSubject(makeSubject);
    const bundle = (options: Partial<Parameters<typeof createSecretsBundle>[0]> = {}) =>
      createSecretsBundle({ permissions: allowAll, ...options, secrets: subject().secrets });
    const wire = wireCallFor(subject);
    const read = storeReadFor(subject);
    const call = (b: HostBundle, name: HostFunctionName, pluginId: string, request: unknown) =>
      wire(b, name, request, pluginId);

    it('round-trips, deletes, and answers "" when absent', async () => {
      const b = bundle();
      expect(await call(b, 'host_secret_get', 'acme.sync', { key: 'token' })).toBe('');
      expect(await call(b, 'host_secret_set', 'acme.sync', { key: 'token', value: 'Zoë 🌍 s3cr3t' })).toBe(
        '',
      );
      expect(await call(b, 'host_secret_get', 'acme.sync', { key: 'token' })).toBe(
        '{"value":"Zoë 🌍 s3cr3t"}',
      );
      expect(await call(b, 'host_secret_set', 'acme.sync', { key: 'empty', value: '' })).toBe('');
      expect(await call(b, 'host_secret_get', 'acme.sync', { key: 'empty' })).toBe('{"value":""}');
      expect(await call(b, 'host_secret_delete', 'acme.sync', { key: 'token' })).toBe('');
      expect(await call(b, 'host_secret_get', 'acme.sync', { key: 'token' })).toBe('');
      expect(await call(b, 'host_secret_delete', 'acme.sync', { key: 'token' })).toBe('');
    });

    it('keeps plugin ids and keys apart exactly', async () => {
      const b = bundle();
      for (const [index, [pluginId, key]] of COLLIDING_SCOPES.entries()) {
        await call(b, 'host_secret_set', pluginId, { key, value: `secret ${index}` });
      }
      for (const [index, [pluginId, key]] of COLLIDING_SCOPES.entries()) {
        expect(await call(b, 'host_secret_get', pluginId, { key }), `${pluginId} / ${key}`).toBe(
          JSON.stringify({ value: `secret ${index}` }),
        );
      }
      expect(await call(b, 'host_secret_get', 'hostile.x', { key: 'a.b:c:d' })).toBe('');
    });

    it('keeps secrets out of storage and storage out of secrets', async () => {
      const { storage, secrets } = subject();
      const s = bundle();
      const kv = createStorageBundle({ permissions: allowAll, store: storage });
      await call(s, 'host_secret_set', 'acme.sync', { key: 'token', value: 'secret value' });
      expect(await call(kv, 'host_storage_get', 'acme.sync', { key: 'token' })).toBe('');
      expect(await read(storage.get('acme.sync', 'token'))).toBeUndefined();
      await call(kv, 'host_storage_set', 'acme.sync', { key: 'cache', data: base64('plain value') });
      expect(await call(s, 'host_secret_get', 'acme.sync', { key: 'cache' })).toBe('');
      expect(await read(secrets.get('acme.sync', 'cache'))).toBeUndefined();
      await call(kv, 'host_storage_set', 'acme.sync', { key: 'token', data: base64('not the secret') });
      expect(await call(s, 'host_secret_get', 'acme.sync', { key: 'token' })).toBe(
        '{"value":"secret value"}',
      );
      await call(kv, 'host_storage_set', 'acme.sync', { key: 'token', data: '' });
      expect(await call(s, 'host_secret_get', 'acme.sync', { key: 'token' })).toBe(
        '{"value":"secret value"}',
      );
    });

    it('answers denials quietly for reads and with the message for writes and deletes', async () => {
      const audit = createMemoryAuditSink();
      await call(bundle(), 'host_secret_set', 'acme.sync', { key: 'token', value: 'kept' });
      const b = bundle({ permissions: deniedStorage('acme.sync'), audit });
      expect(await call(b, 'host_secret_get', 'acme.sync', { key: 'token' })).toBe('');
      expect(audit.decisions).toHaveLength(1);
      const denial = "Permission denied for plugin 'acme.sync': plugin_storage on 'token'";
      expect(await call(b, 'host_secret_set', 'acme.sync', { key: 'token', value: 'x' })).toBe(
        `host_secret_set: ${denial}`,
      );
      expect(await call(b, 'host_secret_delete', 'acme.sync', { key: 'token' })).toBe(
        `host_secret_delete: ${denial}`,
      );
      expect(await read(subject().secrets.get('acme.sync', 'token'))).toBe('kept');
    });

    it('refuses values it could not keep exactly, and values over the quota', async () => {
      const b = bundle({ quotaFor: () => 8 });
      expect(await call(b, 'host_secret_set', 'acme.sync', { key: 'k', value: 'x\ud800' })).toBe(
        'host_secret_set: value must be valid Unicode (it contains a lone surrogate)',
      );
      expect(await call(b, 'host_secret_set', 'acme.sync', { key: 'k', value: 'ëëëëë' })).toBe(
        "host_secret_set: value of 10 bytes exceeds the storage quota of 8 bytes for plugin 'acme.sync'",
      );
      expect(await call(b, 'host_secret_set', 'acme.sync', { key: 'k', value: 42 })).toMatch(
        /^host_secret_set: Invalid host_secret_set request: at value: /,
      );
      expect(await call(b, 'host_secret_get', 'acme.sync', { key: 'k' })).toBe('');
    });
  });
}
