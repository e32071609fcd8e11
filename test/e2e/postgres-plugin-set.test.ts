import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { guestBytes } from '@plinth/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { checkSharedPluginSet, openSharedHost } from './__fixtures__/shared-plugin-set.js';

let base: string;
let database: PGlite;
const closers: (() => Promise<void>)[] = [];

// PGlite compiles its wasm build on creation: seconds on a loaded machine.
beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'plinth-plugin-set-'));
  database = await PGlite.create();
}, 60_000);
afterAll(async () => {
  for (const close of closers) await close();
  await database.close();
  rmSync(base, { recursive: true, force: true });
});

describe('the plugin set and the policy, shared through PostgreSQL (PGlite)', () => {
  it(
    'reaches every host: a seeded plugin, an install, a grant and an uninstall',
    { timeout: 60_000 },
    async () => {
      await checkSharedPluginSet(
        async (name, seed) => {
          const opened = await openSharedHost({ base, name, database, ...(seed ? { seed } : {}) });
          closers.push(opened.close);
          return opened.host;
        },
        { notes: guestBytes('as-notes'), c: guestBytes('c-protocol') },
      );
    },
  );
});
