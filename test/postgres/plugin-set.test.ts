import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestBytes } from '@plinth/testkit';
import { afterAll, describe, it } from 'vitest';
import { checkSharedPluginSet, openSharedHost } from '../e2e/__fixtures__/shared-plugin-set.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

const base = mkdtempSync(join(tmpdir(), 'plinth-plugin-set-'));
let database: TestDatabase | undefined;
const closers: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const close of closers) await close();
  await database?.drop();
  rmSync(base, { recursive: true, force: true });
});

// test/e2e/postgres-plugin-set.test.ts on the real server: LISTEN runs on a dedicated connection from the
// pg Pool here, a path PGlite's in-process listen does not take.
describe('the plugin set and the policy, shared through a real PostgreSQL server', () => {
  it(
    'reaches every host: a seeded plugin, an install, a grant and an uninstall',
    { timeout: 60_000 },
    async () => {
      database = await createTestDatabase('plugin_set');
      const pool = database.pool;
      await checkSharedPluginSet(
        async (name, seed) => {
          const opened = await openSharedHost({ base, name, database: pool, ...(seed ? { seed } : {}) });
          closers.push(opened.close);
          return opened.host;
        },
        { notes: guestBytes('as-notes'), c: guestBytes('c-protocol') },
      );
    },
  );
});
