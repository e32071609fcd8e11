// @plinth/host-node/namespaces: the namespaces capability (`host_namespace_*`) on SQLite. The tables live
// in the storage database (`openStorageDatabase` from `@plinth/host-node/storage` creates them), so one file
// holds a plugin's storage, secrets and namespaces.
import {
  createNamespacesBundle,
  type CapabilityBundle,
  type NamespacesBundleOptions,
} from '@plinth/host-kit';
import type Database from 'better-sqlite3';
import { createSqliteNamespaceStore } from './sqlite-namespace-store.js';

export { createSqliteNamespaceStore } from './sqlite-namespace-store.js';

/** Options of `createSqliteNamespacesBundle`: the bundle's options, with the database in place of a store. */
export interface SqliteNamespacesBundleOptions extends Omit<NamespacesBundleOptions, 'store'> {
  /** An open storage database (from `openStorageDatabase` or `openSqliteStores(...).database`). */
  database: Database.Database;
}

/** Every namespace function of the catalogue over the `namespaces` tables of a storage database. */
export function createSqliteNamespacesBundle(
  options: SqliteNamespacesBundleOptions,
): CapabilityBundle<'namespaces'> {
  const { database, ...rest } = options;
  return createNamespacesBundle({ ...rest, store: createSqliteNamespaceStore(database) });
}
