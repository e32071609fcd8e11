import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeSecretsContract, describeStorageContract } from '@plinth/testkit/contracts';
import { createMemoryKeyValueStore, createMemorySecretStore } from '@plinth/testkit/twins';
import { openSqliteStores } from '@plinth/host-node/storage';

const twin = () => ({
  storage: createMemoryKeyValueStore(),
  secrets: createMemorySecretStore(),
  synchronous: true,
});

/** A fresh database file per test, removed with its WAL afterwards. */
const sqlite = () => {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-storage-contract-'));
  const stores = openSqliteStores({ path: join(dir, 'storage.db') });
  return {
    storage: stores.storage,
    secrets: stores.secrets,
    synchronous: true,
    close: () => {
      stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

describeStorageContract('in-memory twin', twin);
describeStorageContract('SQLite (@plinth/host-node/storage)', sqlite);
describeSecretsContract('in-memory twin', twin);
describeSecretsContract('SQLite (@plinth/host-node/storage)', sqlite);
