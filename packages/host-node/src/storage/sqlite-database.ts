import { checkOptions } from '@plinth/protocol';
import Database from 'better-sqlite3';
import { openDatabaseOptionsSchema } from './storage-options.js';

/** Bumped when the tables change; a newer file than this code knows is refused rather than misread. */
export const SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS kv (
    plugin_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (plugin_id, key)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS secrets (
    plugin_id TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (plugin_id, key)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS namespaces (
    id TEXT NOT NULL PRIMARY KEY,
    owner_plugin_id TEXT NOT NULL,
    owner_user_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    metadata TEXT
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS namespaces_by_owner ON namespaces (owner_plugin_id, created_at, id);
  CREATE TABLE IF NOT EXISTS namespace_objects (
    ns_id TEXT NOT NULL REFERENCES namespaces (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    data BLOB NOT NULL,
    mime_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    audience TEXT,
    PRIMARY KEY (ns_id, key)
  ) WITHOUT ROWID;
`;

/** Where the SQLite storage database is, and how long a write waits for a lock. */
export interface OpenDatabaseOptions {
  /** The database file; created with its tables when missing. `":memory:"` for a throwaway database. */
  path: string;
  /** How long a write waits for another connection's lock before failing. Default 5 000 ms. */
  busyTimeoutMs?: number;
}

/**
 * Opens the storage database. WAL with `synchronous = FULL`: every commit fsyncs the WAL before
 * better-sqlite3 returns, so a write that was acknowledged survives a process kill and also an OS crash
 * or power loss (NORMAL would survive only the process kill). Plugin writes are small; one fsync each
 * is the price of "acknowledged means stored".
 */
export function openStorageDatabase(options: OpenDatabaseOptions): Database.Database {
  checkOptions('openStorageDatabase', openDatabaseOptionsSchema, options);
  let database: Database.Database | undefined;
  try {
    database = new Database(options.path, { timeout: options.busyTimeoutMs ?? 5_000 });
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
    const version = database.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`schema version ${version} is newer than this host supports (${SCHEMA_VERSION})`);
    }
    database.exec(SCHEMA);
    database.pragma(`user_version = ${SCHEMA_VERSION}`);
    return database;
  } catch (error) {
    database?.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot open the storage database ${options.path}: ${reason}`, { cause: error });
  }
}
