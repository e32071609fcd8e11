import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginRegistry } from '@plinth/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginDirectoryError } from './directory-error.js';
import {
  GOLDEN,
  guestBytes,
  makeRoot,
  placePlugin,
  waitFor,
  watWithVersion,
} from './__fixtures__/plugins-root.js';
import { installPlugin } from './install-plugin.js';
import { loadPluginDirectory } from './load-plugin-directory.js';
import { watchPluginsRoot, type PluginsRootWatcher, type WatchEvent } from './watch-plugins-root.js';

let root: string;
let cleanup: () => Promise<void>;
let registry: PluginRegistry;
let watcher: PluginsRootWatcher | undefined;
let events: WatchEvent[];
beforeEach(async () => {
  ({ root, cleanup } = await makeRoot());
  registry = new PluginRegistry();
  events = [];
});
afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  await registry.close();
  await cleanup();
});

const options = () => ({ root, registry, hostAppVersion: '1.0.0', bundleFor: () => ({}) });
const start = async () => {
  await loadPluginDirectory(options());
  watcher = await watchPluginsRoot({
    ...options(),
    // Above chokidar's 100 ms change throttle, so a change it drops is still read when the timer fires.
    debounceMs: 150,
    onEvent: (event: WatchEvent) => events.push(event),
  });
};
const seen =
  (type: WatchEvent['type'], pluginId: string, count = 1) =>
  () =>
    events.filter((event) => event.type === type && 'pluginId' in event && event.pluginId === pluginId)
      .length >= count;

describe('watchPluginsRoot', { timeout: 30_000 }, () => {
  it('hot-reloads a plugin whose plugin.wasm changes', async () => {
    await placePlugin(root, GOLDEN.wat.id, guestBytes(GOLDEN.wat.guest));
    await start();
    expect(registry.get(GOLDEN.wat.id)?.version).toBe('1.0.0');
    await writeFile(join(root, GOLDEN.wat.id, 'plugin.wasm'), watWithVersion('1.0.1'));
    await waitFor(seen('reloaded', GOLDEN.wat.id), 'the reload');
    expect(registry.get(GOLDEN.wat.id)?.version).toBe('1.0.1');
    expect(await registry.command(GOLDEN.wat.id, 'ping')).toEqual({ success: true, data: 'pong' });
  });

  it('reloads on a config.json change', async () => {
    await placePlugin(root, GOLDEN.c.id, guestBytes(GOLDEN.c.guest));
    await start();
    await writeFile(join(root, GOLDEN.c.id, 'config.json'), '{"greeting":"hej"}');
    await waitFor(seen('reloaded', GOLDEN.c.id), 'the reload');
    expect(registry.get(GOLDEN.c.id)?.state).toBe('active');
  });

  it('loads a newly installed plugin and unloads a removed one', async () => {
    await mkdir(root, { recursive: true });
    await start();
    await installPlugin({ root, hostAppVersion: '1.0.0', source: { bytes: guestBytes(GOLDEN.wat.guest) } });
    await waitFor(seen('loaded', GOLDEN.wat.id), 'the load');
    expect(await registry.command(GOLDEN.wat.id, 'ping')).toEqual({ success: true, data: 'pong' });

    await rm(join(root, GOLDEN.wat.id), { recursive: true });
    await waitFor(seen('unloaded', GOLDEN.wat.id), 'the unload');
    expect(registry.get(GOLDEN.wat.id)).toBeUndefined();
  });

  it('keeps the running instance when the new module is broken, and takes the next good one', async () => {
    await placePlugin(root, GOLDEN.wat.id, guestBytes(GOLDEN.wat.guest));
    await start();
    const modulePath = join(root, GOLDEN.wat.id, 'plugin.wasm');
    await writeFile(modulePath, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x0b]));
    const failure = await waitFor(
      () => events.find((event): event is Extract<WatchEvent, { type: 'failed' }> => event.type === 'failed'),
      'the failed reload',
    );
    expect(failure).toMatchObject({
      pluginId: GOLDEN.wat.id,
      action: 'reload',
      problem: { code: 'invalid_module' },
    });
    expect(registry.get(GOLDEN.wat.id)?.version).toBe('1.0.0');
    expect(await registry.command(GOLDEN.wat.id, 'ping')).toEqual({ success: true, data: 'pong' });

    await writeFile(modulePath, watWithVersion('1.0.2'));
    await waitFor(() => registry.get(GOLDEN.wat.id)?.version === '1.0.2', 'the good module');
  });

  it('reports a new folder whose manifest id differs, and registers it under neither id', async () => {
    await start();
    await placePlugin(root, 'hostile.id-mismatch', guestBytes('hostile/hostile-id-mismatch'));
    const failure = await waitFor(() => events.find((event) => event.type === 'failed'), 'the failed load');
    expect(failure).toMatchObject({
      pluginId: 'hostile.id-mismatch',
      action: 'load',
      problem: { code: 'id_mismatch' },
    });
    expect(registry.list()).toEqual([]);
  });

  it('refuses a root that does not exist', async () => {
    const error = await watchPluginsRoot({ ...options(), root: join(root, 'missing') }).catch(
      (caught: unknown) => caught,
    );
    expect(PluginDirectoryError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'root_unreadable' });
  });
});
