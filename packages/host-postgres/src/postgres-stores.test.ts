import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { createAllowAllChecker } from '@plinth/permissions';
import { createSecretsBundle, createStorageBundle, serveBundleCall } from '@plinth/host-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseError, migrate, openPostgresStores, type PostgresStores, type Queryable } from './index.js';

const permissions = createAllowAllChecker();
const context = { pluginId: 'acme.notes', exportName: 'handle_command' };
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

let db: PGlite;
let stores: PostgresStores;
const secretKey = randomBytes(32);

// PGlite compiles its wasm build on creation: seconds on a loaded machine.
beforeAll(async () => {
  db = new PGlite();
  await db.waitReady;
  stores = await openPostgresStores({ database: db, secretKey });
}, 60_000);
afterAll(async () => {
  await stores.close();
  await db.close();
});

describe('openPostgresStores on PGlite', () => {
  it('applies the schema once and records it; a second open finds it current', async () => {
    expect(stores.schema).toEqual({ version: 2, applied: [1, 2] });
    expect(await migrate(db)).toEqual({ version: 2, applied: [] });
    const { rows } = await db.query<{ version: number }>(
      'SELECT version FROM plinth_schema ORDER BY version',
    );
    expect(rows).toEqual([{ version: 1 }, { version: 2 }]);
  });

  it('serves the storage functions through the bundle, asynchronously', async () => {
    const bundle = createStorageBundle({ store: stores.storage, permissions });
    const set = serveBundleCall(
      bundle,
      'host_storage_set',
      JSON.stringify({ key: 'k', data: base64('Zoë') }),
      context,
    );
    expect(set).toBeInstanceOf(Promise);
    expect(await set).toEqual({ answer: '', outcome: 'ok' });
    const got = await serveBundleCall(bundle, 'host_storage_get', JSON.stringify({ key: 'k' }), context);
    expect(got).toEqual({ answer: JSON.stringify({ data: base64('Zoë') }), outcome: 'ok' });
    // Another plugin's key of the same name is another value.
    const other = await serveBundleCall(bundle, 'host_storage_get', JSON.stringify({ key: 'k' }), {
      ...context,
      pluginId: 'acme.other',
    });
    expect(other.answer).toBe('');
  });

  it('keeps secrets sealed: no plaintext in the database, and a row moved to another plugin does not open', async () => {
    const bundle = createSecretsBundle({ secrets: stores.secrets, permissions });
    const secret = 'hunter2-Zoë-🌍';
    await serveBundleCall(
      bundle,
      'host_secret_set',
      JSON.stringify({ key: 'token', value: secret }),
      context,
    );
    expect(await stores.secrets.get('acme.notes', 'token')).toBe(secret);
    const dump = await db.query<{ nonce: Uint8Array; sealed: Uint8Array }>('SELECT * FROM plinth_secrets');
    const everything = Buffer.concat(
      dump.rows.flatMap((row) => [Buffer.from(row.nonce), Buffer.from(row.sealed)]),
    );
    expect(everything.includes(Buffer.from('hunter2'))).toBe(false);

    await db.query(
      `INSERT INTO plinth_secrets (plugin_id, key, nonce, sealed)
       SELECT 'acme.thief', key, nonce, sealed FROM plinth_secrets WHERE plugin_id = 'acme.notes' AND key = 'token'`,
    );
    await expect(stores.secrets.get('acme.thief', 'token')).rejects.toThrow();
    const stolen = await serveBundleCall(bundle, 'host_secret_get', JSON.stringify({ key: 'token' }), {
      ...context,
      pluginId: 'acme.thief',
    });
    expect(stolen.outcome).toBe('internal_error');
    expect(String(stolen.answer)).not.toContain('hunter2');

    // The same database opened with another key reads no secret either.
    const wrongKey = await openPostgresStores({ database: db, secretKey: randomBytes(32) });
    await expect(wrongKey.secrets.get('acme.notes', 'token')).rejects.toThrow();
  });

  it('orders namespace objects by code point and lists by prefix', async () => {
    const ns = stores.namespaces;
    await ns.createNamespace({ id: 'ns-1', ownerPluginId: 'acme.notes', ownerUserId: 'local', createdAt: 5 });
    for (const key of ['b', 'a', 'é', 'Z', 'a/2', 'a/1']) {
      await ns.putObject('ns-1', { key, data: Buffer.from(key), mimeType: 'text/plain', updatedAt: 7 });
    }
    const keys = (await ns.listObjects('ns-1', { prefix: '', limit: 100, offset: 0 })).map(
      (info) => info.key,
    );
    expect(keys).toEqual(['Z', 'a', 'a/1', 'a/2', 'b', 'é']);
    const prefixed = await ns.listObjects('ns-1', { prefix: 'a/', limit: 1, offset: 1 });
    expect(prefixed.map((info) => info.key)).toEqual(['a/2']);
    expect(await ns.getObject('ns-1', 'é')).toMatchObject({
      data: new Uint8Array(Buffer.from('é')),
      sizeBytes: 2,
    });
    expect(await ns.listNamespaces('acme.notes')).toEqual([
      { id: 'ns-1', ownerPluginId: 'acme.notes', ownerUserId: 'local', createdAt: 5 },
    ]);
  });
});

describe('a database that fails', () => {
  const settings = (database: Queryable) => openPostgresStores({ database, secretKey, queryTimeoutMs: 100 });
  /** PGlite behind a switch: `down` makes every query fail as a lost connection would. */
  function flaky(failures: { count: number }) {
    return {
      query: (text: string, params?: unknown[]) => {
        if (failures.count > 0 && !text.startsWith('BEGIN') && text.includes('plinth_kv')) {
          failures.count -= 1;
          return Promise.reject(
            Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' }),
          );
        }
        return db.query(text, params);
      },
    };
  }

  it('retries a query whose connection was lost, once', async () => {
    const failures = { count: 1 };
    const opened = await settings(flaky(failures));
    await opened.storage.set('acme.retry', 'k', new Uint8Array([1]));
    expect(failures.count).toBe(0);
    expect(await opened.storage.get('acme.retry', 'k')).toEqual(new Uint8Array([1]));
  });

  it('answers the failure shape, never a trap, when the database stays down', async () => {
    const failures = { count: Number.POSITIVE_INFINITY };
    const opened = await settings(flaky(failures));
    await expect(opened.storage.get('acme.down', 'k')).rejects.toBeInstanceOf(DatabaseError);
    const bundle = createStorageBundle({ store: opened.storage, permissions });
    const served = serveBundleCall(bundle, 'host_storage_get', JSON.stringify({ key: 'k' }), context);
    // host_storage_get's failure is quiet (an empty answer, like a missing key); the outcome says why.
    expect(await served).toEqual({ answer: '', outcome: 'internal_error' });
  });

  it('fails a query that does not answer within queryTimeoutMs instead of hanging the call', async () => {
    const hanging: Queryable = {
      query: (text, params) =>
        text.includes('plinth_kv') ? new Promise(() => undefined) : db.query(text, params),
    };
    const opened = await settings(hanging);
    await expect(opened.storage.get('acme.slow', 'k')).rejects.toThrow(/did not answer within 100 ms/);
  });

  it('refuses bad options with the field named', async () => {
    await expect(openPostgresStores({ database: db, secretKey: new Uint8Array(16) })).rejects.toMatchObject({
      code: 'invalid_options',
      message: expect.stringContaining('secretKey'),
    });
  });
});
