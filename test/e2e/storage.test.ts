import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPolicyChecker } from '@plinth/permissions';
import { combineBundles, type HostBundle } from '@plinth/host-kit';
import { openProtocolPluginFrom, type ProtocolPlugin } from '@plinth/runtime';
import { createIsolatedLane } from '@plinth/runtime/node';
import { createSqliteStorageBundle, openSqliteStores, type SqliteStores } from '@plinth/host-node/storage';
import { guestBytes } from '@plinth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// No policy rule for either plugin: plugin_storage is then allowed (packages/protocol/PROTOCOL.md §5.3
// rule 1).
const permissions = createPolicyChecker({ policy: { plugins: {} } });
const HOSTILE_ID = 'hostile.storage-other-plugin';
const NOTES_ID = 'plinth-golden.notes';

let dir: string;
let stores: SqliteStores;
const open: ProtocolPlugin[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plinth-storage-e2e-'));
  stores = openSqliteStores({ path: join(dir, 'storage.db') });
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((plugin) => plugin.shutdown()));
  stores.close();
  rmSync(dir, { recursive: true, force: true });
});

async function load(guest: string, expectedId: string, bundle: HostBundle, isolated = false) {
  const plugin = await openProtocolPluginFrom({
    source: { bytes: guestBytes(guest) },
    hostAppVersion: '1.0.0',
    expectedId,
    bundle: combineBundles(bundle, { host_log: () => '' }),
    ...(isolated ? { lane: createIsolatedLane } : {}),
  });
  open.push(plugin);
  return plugin;
}

const storageBundle = () => createSqliteStorageBundle({ stores, permissions }).bundle;

describe('hostile-storage-other-plugin against the SQLite bundle', () => {
  it.each([
    ['in-thread', false],
    ['isolated', true],
  ])("cannot reach another plugin's value through crafted keys (%s lane)", async (_lane, isolated) => {
    stores.storage.set('other.plugin', 'secret', new TextEncoder().encode('other plugin secret'));
    const plugin = await load('hostile-storage-other-plugin', HOSTILE_ID, storageBundle(), isolated);
    expect(await plugin.command('read_other')).toEqual({ success: true, data: ['', ''] });
    expect(stores.storage.get('other.plugin', 'secret')).toEqual(
      new TextEncoder().encode('other plugin secret'),
    );
  });

  it('is refused a 2 MiB value under the default 1 MiB quota, and nothing is stored', async () => {
    const plugin = await load('hostile-storage-other-plugin', HOSTILE_ID, storageBundle());
    expect(await plugin.command('write_huge')).toEqual({
      success: true,
      data: `host_storage_set: value of 2097152 bytes exceeds the storage quota of 1 MiB for plugin '${HOSTILE_ID}'`,
    });
    expect(stores.storage.get(HOSTILE_ID, 'huge')).toBeUndefined();
    expect(await plugin.command('read_other')).toEqual({ success: true, data: ['', ''] });
  });
});

describe('as-notes (golden) keeps its tag index in the SQLite store', () => {
  const notes: Record<string, string> = {
    'Daily/2026-11-22.md': '# 2026-11-22\nPlanning #work and #home, not #123.\n',
    'README.md': 'Notes about #work (Zoë 🌍)\n',
    'img.png': 'not markdown #ignored',
  };
  // Minimal read-only file handlers: this test is about storage, not the files capability.
  const files: HostBundle = {
    host_list_files: () => JSON.stringify(Object.keys(notes)),
    host_read_file: (request) => notes[request.path] ?? { failure: `${request.path} not found` },
  };
  const index = {
    tags: { home: ['Daily/2026-11-22.md'], work: ['Daily/2026-11-22.md', 'README.md'] },
    files: 2,
  };

  it('stores tag_index and reads it back with last_index, across a reopened database', async () => {
    const first = await load('as-notes', NOTES_ID, combineBundles(files, storageBundle()));
    expect(await first.command('last_index')).toEqual({ success: true, data: null });
    expect(await first.command('tag_index')).toEqual({ success: true, data: index });
    expect(await first.command('last_index')).toEqual({ success: true, data: index });
    const stored = stores.storage.get(NOTES_ID, 'tag_index');
    expect(JSON.parse(new TextDecoder().decode(stored))).toEqual(index);

    await first.shutdown();
    stores.close();
    stores = openSqliteStores({ path: join(dir, 'storage.db') });
    const second = await load('as-notes', NOTES_ID, storageBundle());
    expect(await second.command('last_index')).toEqual({ success: true, data: index });
  });

  it('reports a denied storage write as a permission error', async () => {
    const denied = createPolicyChecker({
      policy: {
        plugins: { [NOTES_ID]: { permissions: { plugin_storage: { include: [], exclude: ['all'] } } } },
      },
    });
    const bundle = createSqliteStorageBundle({ stores, permissions: denied }).bundle;
    const plugin = await load('as-notes', NOTES_ID, combineBundles(files, bundle));
    expect(await plugin.command('tag_index')).toEqual({
      success: false,
      error: `host_storage_set: Permission denied for plugin '${NOTES_ID}': plugin_storage on 'tag_index'`,
      error_code: 'permission_denied',
    });
    expect(stores.storage.get(NOTES_ID, 'tag_index')).toBeUndefined();
  });
});
