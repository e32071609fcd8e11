import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createNodeHost, type NodeHost } from '@plinth/host-node';
import { shareHostChanges, sharePluginSet, type SharedPluginSet } from '@plinth/host-postgres';
import { guestBytes } from '@plinth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './test-database.js';

const NOTES = 'plinth-golden.notes';
const C = 'plinth-golden.c';
let base: string;
let database: TestDatabase | undefined;
const opened: { host: NodeHost; shared: SharedPluginSet }[] = [];

/** A watching host whose plugins root and policy file mirror the shared set. */
async function host(name: string, seed: Record<string, Uint8Array>) {
  const root = join(base, name);
  mkdirSync(join(root, 'workspace'), { recursive: true });
  for (const [id, bytes] of Object.entries(seed)) {
    mkdirSync(join(root, 'plugins', id), { recursive: true });
    writeFileSync(join(root, 'plugins', id, 'plugin.wasm'), bytes);
  }
  const policyFile = join(root, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ plugins: {} }));
  const node = await createNodeHost({
    workspaceRoot: join(root, 'workspace'),
    pluginsRoot: join(root, 'plugins'),
    policy: { file: policyFile },
    hostAppVersion: '1.0.0',
    watch: true,
  });
  await node.start();
  const shared = await sharePluginSet({
    database: (database as TestDatabase).pool,
    pluginsRoot: join(root, 'plugins'),
    policyFile,
  });
  opened.push({ host: node, shared });
  return shareHostChanges(node, shared);
}

/** Polls until `check` holds (the watchers debounce file changes by 250 ms). */
async function eventually(check: () => boolean, what: string): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > 10_000) throw new Error(`not within 10 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - started;
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'plinth-plugin-set-'));
  database = await createTestDatabase('plugin_set');
});
afterAll(async () => {
  for (const { host: node, shared } of opened) {
    await shared.close();
    await node.close();
  }
  await database?.drop();
  rmSync(base, { recursive: true, force: true });
});

// The same as test/e2e/postgres-plugin-set.test.ts (PGlite), on the real server: LISTEN runs on a
// dedicated connection from the pg Pool here, which PGlite's in-process listen does not exercise.
describe('the plugin set and the policy, shared through a real PostgreSQL server', () => {
  it(
    'reaches every host: a seeded plugin, an install, a grant and an uninstall',
    { timeout: 60_000 },
    async () => {
      const a = await host('a', { [NOTES]: guestBytes('as-notes') });
      const b = await host('b', {});
      // B joined after A seeded the set with its plugin: B mirrors it, and its watcher loads it.
      await eventually(() => b.plugin(NOTES)?.state === 'active', 'B loads the plugin A had');

      await a.install({ bytes: guestBytes('c-protocol') });
      await eventually(() => b.plugin(C)?.state === 'active', 'B loads the plugin installed on A');
      expect(await b.command(C, 'ping')).toMatchObject({ success: true });

      await a.grant(NOTES, 'read_files', 'all');
      await eventually(
        () => b.policy().plugins[NOTES]?.permissions.read_files?.include.includes('all') === true,
        'B has the grant made on A',
      );

      await a.uninstall(C);
      await eventually(() => b.plugin(C) === undefined, 'B unloads the plugin uninstalled on A');
      expect(a.plugin(C)).toBeUndefined();
    },
  );
});
