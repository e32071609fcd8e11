import { DatabaseError, type PoolLike, type Queryable } from './database.js';

/**
 * The schema, as numbered steps applied in order and recorded in `plinth_schema`. A step is never edited
 * once released: a change is a new step. Every host applies the missing steps on start, one host at a time
 * (a transaction-scoped advisory lock), so two hosts starting together never both create a table.
 */
export const MIGRATIONS: readonly { version: number; name: string; statements: readonly string[] }[] = [
  {
    version: 1,
    name: 'plugin storage, secrets and namespaces',
    statements: [
      `CREATE TABLE plinth_kv (
        plugin_id text NOT NULL,
        key text NOT NULL,
        value bytea NOT NULL,
        PRIMARY KEY (plugin_id, key)
      )`,
      // Sealed with AES-256-GCM under the host's key; the row holds no plaintext.
      `CREATE TABLE plinth_secrets (
        plugin_id text NOT NULL,
        key text NOT NULL,
        nonce bytea NOT NULL,
        sealed bytea NOT NULL,
        PRIMARY KEY (plugin_id, key)
      )`,
      // metadata is JSON text, kept exactly as written (jsonb would reorder keys and drop duplicates).
      `CREATE TABLE plinth_namespaces (
        id text PRIMARY KEY,
        owner_plugin_id text NOT NULL,
        owner_user_id text NOT NULL,
        created_at bigint NOT NULL,
        metadata text
      )`,
      `CREATE INDEX plinth_namespaces_owner ON plinth_namespaces (owner_plugin_id, created_at, id)`,
      `CREATE TABLE plinth_namespace_objects (
        ns_id text NOT NULL REFERENCES plinth_namespaces (id) ON DELETE CASCADE,
        key text NOT NULL,
        data bytea NOT NULL,
        mime_type text NOT NULL,
        size_bytes bigint NOT NULL,
        updated_at bigint NOT NULL,
        content_hash text NOT NULL,
        audience text,
        PRIMARY KEY (ns_id, key)
      )`,
    ],
  },
  {
    version: 2,
    name: 'the shared plugin set and policy',
    statements: [
      // One row per installed plugin: its module (by sha256), config sidecar and signature file.
      `CREATE TABLE plinth_plugins (
        id text PRIMARY KEY,
        sha256 text NOT NULL,
        module bytea NOT NULL,
        config text,
        signature bytea,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      // The policy document, verbatim (comments and layout included), in a single row.
      `CREATE TABLE plinth_policy (
        id smallint PRIMARY KEY CHECK (id = 1),
        document text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    ],
  },
];

/** An arbitrary constant naming Plinth's migration lock among the database's advisory locks. */
const MIGRATION_LOCK = 0x706c_6e74;

/** What `migrate` found and did. */
export interface MigrationResult {
  /** The schema version now in the database. */
  version: number;
  /** Versions this call applied (empty when the schema was current). */
  applied: number[];
}

/**
 * Brings the schema up to date. Runs on one connection (taken from a pool when given one) inside one
 * transaction: either every missing step is applied, or none is.
 */
export async function migrate(database: Queryable | PoolLike): Promise<MigrationResult> {
  const connection = 'connect' in database ? await database.connect() : undefined;
  const on: Queryable = connection ?? database;
  try {
    await on.query('BEGIN');
    try {
      await on.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await on.query(
        'CREATE TABLE IF NOT EXISTS plinth_schema (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const { rows } = await on.query('SELECT version FROM plinth_schema');
      const done = new Set((rows as { version: number }[]).map((row) => Number(row.version)));
      const applied: number[] = [];
      for (const step of MIGRATIONS) {
        if (done.has(step.version)) continue;
        for (const statement of step.statements) await on.query(statement);
        await on.query('INSERT INTO plinth_schema (version, name) VALUES ($1, $2)', [
          step.version,
          step.name,
        ]);
        applied.push(step.version);
      }
      await on.query('COMMIT');
      const known = Math.max(...MIGRATIONS.map((step) => step.version));
      const newest = Math.max(known, ...done);
      if (newest > known) {
        throw new DatabaseError(
          'migrate',
          `the database has schema version ${newest}, newer than this @plinth/host-postgres knows (${known}); upgrade it on this host`,
        );
      }
      return { version: newest, applied };
    } catch (error) {
      await on.query('ROLLBACK').catch(() => undefined);
      if (error instanceof DatabaseError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new DatabaseError('migrate', `PostgreSQL migration failed: ${reason}`, error);
    }
  } finally {
    connection?.release();
  }
}
