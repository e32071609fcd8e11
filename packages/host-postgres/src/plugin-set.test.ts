import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharePluginSet, type SharePluginSetOptions } from './index.js';

let db: PGlite;
const root = mkdtempSync(join(tmpdir(), 'plinth-plugin-set-unit-'));

// PGlite compiles its wasm build on creation: seconds on a loaded machine.
beforeAll(async () => {
  db = await PGlite.create();
}, 60_000);
afterAll(async () => {
  await db.close();
  rmSync(root, { recursive: true, force: true });
});

describe('sharePluginSet refuses bad input with typed errors', () => {
  it('names a bad option, and a database it cannot LISTEN on', async () => {
    await expect(
      sharePluginSet({ database: db, pluginsRoot: '' } as SharePluginSetOptions),
    ).rejects.toMatchObject({ code: 'invalid_options', message: expect.stringContaining('pluginsRoot') });
    const client = { query: (text: string, params?: unknown[]) => db.query(text, params) };
    await expect(sharePluginSet({ database: client, pluginsRoot: root })).rejects.toMatchObject({
      code: 'invalid_options',
      message: expect.stringContaining('cannot LISTEN'),
    });
  });

  it('refuses a plugin id that is not one (it would name a folder outside the root) and a missing module', async () => {
    const shared = await sharePluginSet({ database: db, pluginsRoot: root });
    try {
      await expect(shared.pushPlugin('../escape')).rejects.toMatchObject({ code: 'invalid_params' });
      await expect(shared.removePlugin('a/b')).rejects.toMatchObject({ code: 'invalid_params' });
      await expect(shared.pushPlugin('acme.missing')).rejects.toMatchObject({
        code: 'invalid_params',
        message: expect.stringContaining('has no plugin.wasm'),
      });
    } finally {
      await shared.close();
    }
  });
});
