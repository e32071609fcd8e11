// @plinth/host-postgres: plugin storage, secrets and namespaces on PostgreSQL, so every host process
// behind a balancer sees the same values. The stores answer promises: the plugins that use them run in the
// isolated lane (createNodeHost's lane 'auto' decides that by itself).
import { checkOptions, defineOptions, objectOption, wholeNumberOption } from '@plinth/protocol';
import type { KeyValueStore, NamespaceStore, SecretStore } from '@plinth/host-kit';
import pg from 'pg';
import { z } from 'zod';
import { DEFAULT_DATABASE_OPTIONS, type PoolLike, type Queryable } from './database.js';
import { migrate, type MigrationResult } from './migrations.js';
import {
  createPostgresKeyValueStore,
  createPostgresNamespaceStore,
  createPostgresSecretStore,
} from './stores.js';

export { DatabaseError, type PoolLike, type Queryable } from './database.js';
export { migrate, MIGRATIONS, type MigrationResult } from './migrations.js';
export {
  CHANGES_CHANNEL,
  shareHostChanges,
  sharePluginSet,
  type Listen,
  type PluginSetEvent,
  type ShareableHost,
  type SharedPluginSet,
  type SharePluginSetOptions,
} from './plugin-set.js';
export {
  createPostgresKeyValueStore,
  createPostgresNamespaceStore,
  createPostgresSecretStore,
} from './stores.js';

/** What `openPostgresStores` needs: the database, the key that seals secrets, and query timing. */
export interface OpenPostgresStoresOptions {
  /**
   * The database: a `pg` Pool or Client, PGlite, or anything with `query(text, params) → { rows }`; or a
   * connection string, for which a Pool is made (and ended by `close()`).
   */
  database: Queryable | PoolLike | { connectionString: string };
  /** 32 bytes: the AES-256-GCM key secrets are sealed with. Keep it out of the database. */
  secretKey: Uint8Array;
  /** A query not answered after this long fails the host call (its failure shape). Default 10 000. */
  queryTimeoutMs?: number;
  /** Retries of a query whose connection was lost. Default 1. */
  retries?: number;
}

/** The three stores over one PostgreSQL database, for `createNodeHost`'s `stores` option. */
export interface PostgresStores {
  storage: KeyValueStore;
  secrets: SecretStore;
  namespaces: NamespaceStore;
  /** What the migrations found and applied on open. */
  schema: MigrationResult;
  /** Ends the pool this call made from a connection string; a database given as an object stays open. */
  close(): Promise<void>;
}

const openOptionsSchema = defineOptions<OpenPostgresStoresOptions>()(
  z.strictObject({
    database: z.union([
      z.strictObject({ connectionString: z.string().min(1) }),
      objectOption<Queryable>('a database with query(text, params)', ['query']),
    ]),
    secretKey: z
      .custom<Uint8Array>((key) => key instanceof Uint8Array && key.length === 32, {
        error: 'must be 32 bytes (an AES-256 key) as a Uint8Array',
      })
      .describe('32 bytes'),
    queryTimeoutMs: wholeNumberOption(1, 600_000).optional(),
    retries: wholeNumberOption(0, 10).optional(),
  }),
);

/** Migrates the schema, then answers the three stores over one database. */
export async function openPostgresStores(options: OpenPostgresStoresOptions): Promise<PostgresStores> {
  checkOptions('openPostgresStores', openOptionsSchema, options);
  const owned = 'connectionString' in options.database ? new pg.Pool(options.database) : undefined;
  const database = owned ?? (options.database as Queryable | PoolLike);
  const settings = {
    queryTimeoutMs: options.queryTimeoutMs ?? DEFAULT_DATABASE_OPTIONS.queryTimeoutMs,
    retries: options.retries ?? DEFAULT_DATABASE_OPTIONS.retries,
  };
  let schema: MigrationResult;
  try {
    schema = await migrate(database);
  } catch (error) {
    await owned?.end();
    throw error;
  }
  return {
    storage: createPostgresKeyValueStore(database, settings),
    secrets: createPostgresSecretStore(database, settings, options.secretKey),
    namespaces: createPostgresNamespaceStore(database, settings),
    schema,
    close: async () => {
      await owned?.end();
    },
  };
}
