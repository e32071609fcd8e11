import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './test-database.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../apps/demo/dist/cli.js', import.meta.url));
const C_GUEST = fileURLToPath(
  new URL('../../packages/testkit/guests/golden/c-protocol/plugin.wasm', import.meta.url),
);
const base = mkdtempSync(join(tmpdir(), 'plinth-demo-database-'));
let database: TestDatabase | undefined;

/** The built demo CLI, as a user runs it, on its own workspace and the shared database. */
async function demo(workspace: string, ...args: string[]) {
  database ??= await createTestDatabase('demo');
  const { stdout } = await run(
    process.execPath,
    [CLI, '--workspace', join(base, workspace), '--database', database.url, ...args],
    { env: { ...process.env, PLINTH_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') } },
  );
  return stdout;
}

afterAll(async () => {
  await database?.drop();
  rmSync(base, { recursive: true, force: true });
});

describe('plinth-demo --database: two workspaces, one PostgreSQL database', () => {
  it('shares the installed plugins and the plugin storage between them', { timeout: 60_000 }, async () => {
    // Workspace a starts first: its seeded plugins become the shared set; b mirrors them.
    expect(await demo('a', 'list')).toContain('plinth-golden.notes');
    expect(await demo('a', 'install', C_GUEST)).toContain('plinth-golden.c');
    const listed = await demo('b', 'list');
    expect(listed).toContain('plinth-golden.c 1.0.0 [active]');

    // The notes plugin keeps its tag index in plugin storage: written through a, read through b.
    await demo('a', 'grant', 'plinth-golden.notes', 'plugin_storage', 'all');
    await demo('b', 'grant', 'plinth-golden.notes', 'plugin_storage', 'all');
    const indexed = JSON.parse(await demo('a', 'run', 'plinth-golden.notes', 'tag_index')) as unknown;
    expect(JSON.parse(await demo('b', 'run', 'plinth-golden.notes', 'last_index'))).toEqual(indexed);
  });
});
