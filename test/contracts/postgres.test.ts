import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { openPostgresStores } from '@plinth/host-postgres';
import {
  describeNamespacesContract,
  describeSecretsContract,
  describeStorageContract,
} from '@plinth/testkit/contracts';
import { afterAll, beforeAll } from 'vitest';

// One in-process PostgreSQL (PGlite) for the file; every test starts from empty tables.
let database: PGlite | undefined;
const secretKey = randomBytes(32);

async function postgres() {
  database ??= await PGlite.create();
  const stores = await openPostgresStores({ database, secretKey });
  await database.exec('TRUNCATE plinth_kv, plinth_secrets, plinth_namespace_objects, plinth_namespaces');
  return {
    storage: stores.storage,
    secrets: stores.secrets,
    namespaces: stores.namespaces,
    close: stores.close,
  };
}

// Created before the suites' per-test hooks: PGlite compiles its wasm build, seconds on a loaded machine.
beforeAll(async () => {
  database ??= await PGlite.create();
}, 60_000);

afterAll(async () => {
  await database?.close();
});

describeStorageContract('PostgreSQL on PGlite (@plinth/host-postgres)', postgres);
describeSecretsContract('PostgreSQL on PGlite (@plinth/host-postgres)', postgres);
describeNamespacesContract('PostgreSQL on PGlite (@plinth/host-postgres)', postgres);
