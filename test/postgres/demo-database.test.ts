import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './test-database.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../apps/demo/dist/cli.js', import.meta.url));
const C_GUEST = fileURLToPath(
  new URL('../../packages/guests/corpus/golden/c-protocol/plugin.wasm', import.meta.url),
);
const base = mkdtempSync(join(tmpdir(), 'plinth-demo-database-'));
let database: TestDatabase | undefined;
const ENV = {
  ...(process.env as Record<string, string>),
  PLINTH_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
};

/** The built demo CLI's arguments for a workspace of its own on the shared database. */
async function argsFor(workspace: string, ...args: string[]): Promise<string[]> {
  database ??= await createTestDatabase('demo');
  return [CLI, '--workspace', join(base, workspace), '--database', database.url, ...args];
}

/** The built demo CLI, as a user runs it, on its own workspace and the shared database. */
async function demo(workspace: string, ...args: string[]) {
  const { stdout } = await run(process.execPath, await argsFor(workspace, ...args), { env: ENV });
  return stdout;
}

/** Calls `call` until `done` holds for its answer (the other host hears a change within a second or so). */
async function until<T>(call: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await call();
    if (done(value)) return value;
    if (Date.now() - started > 20_000) throw new Error(`not within 20 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
    // …and answers there.
    expect(JSON.parse(await demo('b', 'run', 'plinth-golden.c', 'echo', '{"from":"b"}'))).toEqual({
      from: 'b',
    });

    // The notes plugin keeps its tag index in plugin storage: written through a, read through b.
    const indexed = JSON.parse(await demo('a', 'run', 'plinth-golden.notes', 'tag_index')) as unknown;
    expect(JSON.parse(await demo('b', 'run', 'plinth-golden.notes', 'last_index'))).toEqual(indexed);
  });

  it(
    'carries a revoke and a grant made by one process to a live host in another',
    { timeout: 90_000 },
    async () => {
      // Workspace b serves MCP over stdio and keeps running; workspace a changes the shared policy.
      const transport = new StdioClientTransport({
        command: process.execPath,
        args: ['--disable-warning=ExperimentalWarning', ...(await argsFor('b', 'mcp'))],
        env: ENV,
        stderr: 'pipe',
      });
      const client = new Client({ name: 'plinth-two-process-test', version: '1.0.0' });
      await client.connect(transport);
      try {
        const countWords = () =>
          client.callTool({ name: 'plinth-golden_notes__word_count', arguments: { path: 'ideas.md' } });
        expect((await countWords()).isError).toBeUndefined();

        await demo('a', 'revoke', 'plinth-golden.notes', 'read_files');
        const denied = await until(
          countWords,
          (result) => result.isError === true,
          'b refuses after the revoke on a',
        );
        expect(JSON.stringify(denied.content)).toContain('permission_denied');

        await demo('a', 'grant', 'plinth-golden.notes', 'read_files', 'all');
        await until(
          countWords,
          (result) => result.isError === undefined,
          'b serves again after the grant on a',
        );
      } finally {
        await client.close();
      }
    },
  );
});
