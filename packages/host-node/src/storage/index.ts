import { checkOptions } from '@plinth/protocol';
import type Database from 'better-sqlite3';
import {
  combineBundles,
  createNamespacesBundle,
  createSecretsBundle,
  createStorageBundle,
  type HostBundle,
  type SyncKeyValueStore,
  type SyncNamespaceStore,
  type NamespacesBundleOptions,
  type SyncSecretStore,
  type StoredValueBundleOptions,
} from '@plinth/host-kit';
import { openStorageDatabase, type OpenDatabaseOptions } from './sqlite-database.js';
import { createSqliteNamespaceStore } from '../namespaces/sqlite-namespace-store.js';
import { createSqliteKeyValueStore, createSqliteSecretStore } from './sqlite-scoped-store.js';
import { openDatabaseOptionsSchema, sqliteStorageBundleOptionsSchema } from './storage-options.js';

export { openStorageDatabase, SCHEMA_VERSION, type OpenDatabaseOptions } from './sqlite-database.js';
export { createSqliteKeyValueStore, createSqliteSecretStore } from './sqlite-scoped-store.js';

/** The three stores of one SQLite database file. */
export interface SqliteStores {
  storage: SyncKeyValueStore;
  secrets: SyncSecretStore;
  namespaces: SyncNamespaceStore;
  /** The underlying connection, for backups and inspection. */
  readonly database: Database.Database;
  /** Closes the database; idempotent. */
  close(): void;
}

/** Opens (or creates) the storage database and its `kv`, `secrets` and namespace tables. */
export function openSqliteStores(options: OpenDatabaseOptions): SqliteStores {
  checkOptions('openSqliteStores', openDatabaseOptionsSchema, options);
  const database = openStorageDatabase(options);
  return {
    storage: createSqliteKeyValueStore(database),
    secrets: createSqliteSecretStore(database),
    namespaces: createSqliteNamespaceStore(database),
    database,
    close: () => {
      if (database.open) database.close();
    },
  };
}

export interface SqliteStorageBundleOptions
  extends StoredValueBundleOptions, Pick<NamespacesBundleOptions, 'ownerUserId' | 'clock' | 'newId'> {
  /** An open database (shared with other code), or the options to open one. */
  stores: SqliteStores | OpenDatabaseOptions;
  /** Serve the secret functions. Default true. */
  secrets?: boolean;
  /** Serve the namespace functions. Default true. */
  namespaces?: boolean;
}

/** The storage host functions over one SQLite database, its stores, and how to close it. */
export interface SqliteStorageBundle {
  /** `host_storage_*`, and unless turned off `host_secret_*` and `host_namespace_*`. */
  bundle: HostBundle;
  stores: SqliteStores;
  /** Closes the database if this call opened it. */
  close(): void;
}

/**
 * The storage, secrets and namespaces bundles over one SQLite file, with one set of permission and quota
 * options. Every handler is synchronous (in-thread lane ready) unless `ask` is set.
 */
export function createSqliteStorageBundle(options: SqliteStorageBundleOptions): SqliteStorageBundle {
  checkOptions('createSqliteStorageBundle', sqliteStorageBundleOptionsSchema, options);
  const { stores: given, secrets = true, namespaces = true, ownerUserId, clock, newId, ...shared } = options;
  const opened = 'path' in given;
  const stores = opened ? openSqliteStores(given) : given;
  const bundles: HostBundle[] = [createStorageBundle({ ...shared, store: stores.storage })];
  if (secrets) bundles.push(createSecretsBundle({ ...shared, secrets: stores.secrets }));
  if (namespaces) {
    bundles.push(createNamespacesBundle({ ...shared, ownerUserId, clock, newId, store: stores.namespaces }));
  }
  return {
    bundle: combineBundles(...bundles),
    stores,
    close: () => {
      if (opened) stores.close();
    },
  };
}
