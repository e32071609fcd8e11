import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createNodeHost, type NodeHost } from '@plinth/host-node';
import { openPostgresStores } from '@plinth/host-postgres';
import { guestBytes } from '@plinth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const NOTES = 'plinth-golden.notes';
let base: string;
let database: PGlite;
const hosts: NodeHost[] = [];

/** One host: its own workspace, plugins root and policy, and the shared PostgreSQL stores. */
async function host(name: string): Promise<NodeHost> {
  const root = join(base, name);
  mkdirSync(join(root, 'workspace', 'Notes'), { recursive: true });
  writeFileSync(join(root, 'workspace', 'Notes', 'a.md'), 'alpha #shared beta');
  mkdirSync(join(root, 'plugins', NOTES), { recursive: true });
  writeFileSync(join(root, 'plugins', NOTES, 'plugin.wasm'), guestBytes('as-notes'));
  const all = { include: ['all'], exclude: [] };
  writeFileSync(
    join(root, 'policy.json'),
    JSON.stringify({ plugins: { [NOTES]: { permissions: { read_files: all, plugin_storage: all } } } }),
  );
  const stores = await openPostgresStores({ database, secretKey });
  const opened = await createNodeHost({
    workspaceRoot: join(root, 'workspace'),
    pluginsRoot: join(root, 'plugins'),
    policy: { file: join(root, 'policy.json') },
    hostAppVersion: '1.0.0',
    stores,
    watch: false,
  });
  hosts.push(opened);
  await opened.start();
  return opened;
}
const secretKey = randomBytes(32);

// PGlite compiles its wasm build on creation: seconds on a loaded machine.
beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'plinth-postgres-hosts-'));
  database = await PGlite.create();
}, 60_000);
afterAll(async () => {
  await Promise.all(hosts.map((opened) => opened.close()));
  await database.close();
  rmSync(base, { recursive: true, force: true });
});

describe('two hosts on one PostgreSQL database (PGlite)', () => {
  it('a value a plugin stores through one host is read by the same plugin through the other', async () => {
    const a = await host('a');
    const b = await host('b');
    expect(a.plugin(NOTES)?.lane?.kind).toBe('isolated');
    expect(await b.command(NOTES, 'last_index')).toEqual({ success: true, data: null });
    const index = { tags: { shared: ['Notes/a.md'] }, files: 1 };
    expect(await a.command(NOTES, 'tag_index')).toEqual({ success: true, data: index });
    expect(await b.command(NOTES, 'last_index')).toEqual({ success: true, data: index });
  });
});
