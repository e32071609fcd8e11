import type Database from 'better-sqlite3';
import type { SyncKeyValueStore, SyncSecretStore } from '@plinth/host-kit';

/** `(plugin_id, key)` as two columns of one primary key: no encoding, so nothing can collide. */
function scopedTable<V>(database: Database.Database, table: 'kv' | 'secrets') {
  const select = database.prepare<[string, string], { value: V }>(
    `SELECT value FROM ${table} WHERE plugin_id = ? AND key = ?`,
  );
  const upsert = database.prepare<[string, string, V]>(
    `INSERT INTO ${table} (plugin_id, key, value) VALUES (?, ?, ?)
     ON CONFLICT (plugin_id, key) DO UPDATE SET value = excluded.value`,
  );
  const remove = database.prepare<[string, string]>(`DELETE FROM ${table} WHERE plugin_id = ? AND key = ?`);
  return {
    get: (pluginId: string, key: string): V | undefined => select.get(pluginId, key)?.value,
    set: (pluginId: string, key: string, value: V): void => {
      upsert.run(pluginId, key, value);
    },
    delete: (pluginId: string, key: string): boolean => remove.run(pluginId, key).changes > 0,
  };
}

/** Plugin storage in the `kv` table. Values come back as plain `Uint8Array`s, not Node `Buffer`s. */
export function createSqliteKeyValueStore(database: Database.Database): SyncKeyValueStore {
  const table = scopedTable<Uint8Array>(database, 'kv');
  return {
    get: (pluginId, key) => {
      const value = table.get(pluginId, key);
      return value === undefined ? undefined : new Uint8Array(value);
    },
    set: (pluginId, key, value) => table.set(pluginId, key, value),
    delete: table.delete,
  };
}

/** Secrets in their own `secrets` table, never reachable through `kv`. */
export function createSqliteSecretStore(database: Database.Database): SyncSecretStore {
  return scopedTable<string>(database, 'secrets');
}
