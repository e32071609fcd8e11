import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeNamespacesContract } from '@plinth/testkit/contracts';
import { createMemoryNamespaceStore } from '@plinth/testkit/twins';
import { openSqliteStores } from '@plinth/host-node/storage';

describeNamespacesContract('in-memory twin', () => ({
  namespaces: createMemoryNamespaceStore(),
  synchronous: true,
}));

describeNamespacesContract('SQLite (@plinth/host-node/storage)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-namespaces-contract-'));
  const stores = openSqliteStores({ path: join(dir, 'storage.db') });
  return {
    namespaces: stores.namespaces,
    synchronous: true,
    close: () => {
      stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
