import { randomBytes } from 'node:crypto';
import { openPostgresStores } from '@plinth/host-postgres';
import {
  describeNamespacesContract,
  describeSecretsContract,
  describeStorageContract,
} from '@plinth/testkit/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './test-database.js';

// The contract suites of test/contracts/postgres.test.ts (PGlite), on the project's real server: one
// database for the file, every test from empty tables.
let database: TestDatabase | undefined;
const secretKey = randomBytes(32);

async function postgres() {
  database ??= await createTestDatabase('contracts');
  const stores = await openPostgresStores({ database: database.pool, secretKey });
  await database.pool.query(
    'TRUNCATE plinth_kv, plinth_secrets, plinth_namespace_objects, plinth_namespaces',
  );
  return {
    storage: stores.storage,
    secrets: stores.secrets,
    namespaces: stores.namespaces,
    close: stores.close,
  };
}

afterAll(async () => {
  await database?.drop();
});

describe('the server under these suites', () => {
  it('is a PostgreSQL server process reached over 127.0.0.1, not an in-process one', async () => {
    database ??= await createTestDatabase('contracts');
    const { rows } = await database.pool.query<{ version: string; address: string; pid: number }>(
      'SELECT version(), host(inet_server_addr()) AS address, pg_backend_pid() AS pid',
    );
    expect(rows[0]?.version).toMatch(/^PostgreSQL \d+/);
    expect(rows[0]?.address).toBe('127.0.0.1');
    expect(rows[0]?.pid).not.toBe(process.pid);
  });
});

describeStorageContract('PostgreSQL server (@plinth/host-postgres)', postgres);
describeSecretsContract('PostgreSQL server (@plinth/host-postgres)', postgres);
describeNamespacesContract('PostgreSQL server (@plinth/host-postgres)', postgres);
