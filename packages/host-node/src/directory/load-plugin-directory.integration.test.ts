import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProtocolPlugin } from '@plinth/runtime';
import { PluginRegistry } from '@plinth/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GOLDEN, guestBytes, makeRoot, placePlugin, watWithVersion } from './__fixtures__/plugins-root.js';
import { loadPluginDirectory, type LoadProgress } from './load-plugin-directory.js';
import { MODULE_SHA256_FIELD } from './manifest-cache.js';
import { pluginDirectoryOpener } from './open-plugin-directory.js';
import { pluginDirectoryEntry } from './scan-plugins-root.js';

let root: string;
let cleanup: () => Promise<void>;
let registry: PluginRegistry;
beforeEach(async () => {
  ({ root, cleanup } = await makeRoot());
  registry = new PluginRegistry();
});
afterEach(async () => {
  await registry.close();
  await cleanup();
});

const base = { hostAppVersion: '1.0.0', bundleFor: () => ({}) };
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
const exists = (path: string) =>
  readFile(path).then(
    () => true,
    () => false,
  );

describe('loadPluginDirectory', () => {
  it('loads every good plugin and reports each bad one without stopping', async () => {
    await placePlugin(root, GOLDEN.c.id, guestBytes(GOLDEN.c.guest));
    await placePlugin(root, GOLDEN.wat.id, guestBytes(GOLDEN.wat.guest));
    await placePlugin(root, 'hostile.id-mismatch', guestBytes('hostile/hostile-id-mismatch'));
    await placePlugin(root, 'acme.corrupt', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff, 0xff]));
    await placePlugin(root, GOLDEN.rust.id, guestBytes(GOLDEN.rust.guest));
    const progress: LoadProgress['type'][] = [];

    const result = await loadPluginDirectory({
      ...base,
      root,
      registry,
      onProgress: (event) => progress.push(event.type),
    });

    expect(result.loaded.map((info) => [info.id, info.version, info.state])).toEqual([
      [GOLDEN.c.id, '1.0.0', 'active'],
      [GOLDEN.rust.id, '1.0.0', 'active'],
      [GOLDEN.wat.id, '1.0.0', 'active'],
    ]);
    expect(result.problems.map(({ name, code }) => [name, code])).toEqual([
      ['acme.corrupt', 'invalid_module'],
      ['hostile.id-mismatch', 'id_mismatch'],
    ]);
    expect(result.problems[0]?.message).toMatch(
      /^Cannot load plugin acme\.corrupt from .*acme\.corrupt\/plugin\.wasm: not a valid WebAssembly module/,
    );
    expect(result.problems[1]?.message).toBe(
      'plugin installed as hostile.id-mismatch declares the id someone-else.plugin in its manifest; the directory name and the manifest id must be equal',
    );
    expect(result.problems[1]?.dir).toBe(join(root, 'hostile.id-mismatch'));
    expect(
      registry
        .list()
        .map((info) => info.id)
        .sort(),
    ).toEqual([GOLDEN.c.id, GOLDEN.rust.id, GOLDEN.wat.id]);
    expect(await registry.command(GOLDEN.wat.id, 'ping')).toEqual({ success: true, data: 'pong' });
    expect(progress.filter((type) => type === 'loading')).toHaveLength(5);
    expect(progress.filter((type) => type === 'skipped')).toHaveLength(2);
    // No cache for a plugin that did not load.
    expect(await exists(join(root, 'hostile.id-mismatch', 'manifest.json'))).toBe(false);
    expect(await exists(join(root, 'acme.corrupt', 'manifest.json'))).toBe(false);
  });

  it('writes the manifest cache with the module sha256, uses it next time, and refreshes it for new bytes', async () => {
    const entry = pluginDirectoryEntry(root, GOLDEN.wat.id);
    await placePlugin(root, GOLDEN.wat.id, guestBytes(GOLDEN.wat.guest));
    await loadPluginDirectory({ ...base, root, registry });
    const written = await readJson(entry.manifestPath);
    expect(written).toMatchObject({ id: GOLDEN.wat.id, version: '1.0.0' });
    expect(written[MODULE_SHA256_FIELD]).toMatch(/^[0-9a-f]{64}$/);
    await registry.unload(GOLDEN.wat.id);

    // A cache for these exact bytes is trusted: the manifest export is not called.
    await writeFile(entry.manifestPath, JSON.stringify({ ...written, description: 'from the cache' }));
    const cached = (await pluginDirectoryOpener(entry, base)()) as ProtocolPlugin;
    expect(cached.manifest.description).toBe('from the cache');
    await cached.shutdown();

    // Other bytes: the cache is stale, the guest is asked and the cache rewritten.
    await writeFile(entry.modulePath, watWithVersion('1.0.1'));
    const fresh = (await pluginDirectoryOpener(entry, base)()) as ProtocolPlugin;
    expect(fresh.version).toBe('1.0.1');
    expect(fresh.manifest.description).not.toBe('from the cache');
    await fresh.shutdown();
    const rewritten = await readJson(entry.manifestPath);
    expect(rewritten['version']).toBe('1.0.1');
    expect(rewritten[MODULE_SHA256_FIELD]).not.toBe(written[MODULE_SHA256_FIELD]);
  });

  it('refuses a cached manifest whose id differs from the folder name', async () => {
    const entry = pluginDirectoryEntry(root, GOLDEN.wat.id);
    await placePlugin(root, GOLDEN.wat.id, guestBytes(GOLDEN.wat.guest));
    await loadPluginDirectory({ ...base, root, registry });
    await registry.unload(GOLDEN.wat.id);
    await writeFile(
      entry.manifestPath,
      JSON.stringify({ ...(await readJson(entry.manifestPath)), id: 'acme.other' }),
    );
    const result = await loadPluginDirectory({ ...base, root, registry });
    expect(result.problems).toMatchObject([{ name: GOLDEN.wat.id, code: 'id_mismatch' }]);
  });

  it('passes config.json as the stored config, and {} with a warning when it is invalid', async () => {
    const entry = pluginDirectoryEntry(root, GOLDEN.c.id);
    await placePlugin(root, GOLDEN.c.id, guestBytes(GOLDEN.c.guest));
    await writeFile(entry.configPath, JSON.stringify({ greeting: 'hej' }));
    const configured = (await pluginDirectoryOpener(entry, base)()) as ProtocolPlugin;
    expect(await configured.getConfig()).toEqual({ greeting: 'hej' });
    await configured.shutdown();

    await writeFile(entry.configPath, '{"greeting":');
    const warnings: string[] = [];
    const fallback = (await pluginDirectoryOpener(entry, {
      ...base,
      onWarning: (id, message) => warnings.push(`${id}: ${message}`),
    })()) as ProtocolPlugin;
    expect(await fallback.getConfig()).toEqual({});
    await fallback.shutdown();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      new RegExp(`^${GOLDEN.c.id}: ${entry.configPath} is not valid JSON \\(.*\\); using \\{\\}$`),
    );
  });

  it('skips a plugin the registry already has', async () => {
    await placePlugin(root, GOLDEN.wat.id, guestBytes(GOLDEN.wat.guest));
    await loadPluginDirectory({ ...base, root, registry });
    const again = await loadPluginDirectory({ ...base, root, registry });
    expect(again.loaded).toEqual([]);
    expect(again.problems).toMatchObject([
      {
        name: GOLDEN.wat.id,
        code: 'already_loaded',
        message: `plugin ${GOLDEN.wat.id} is already loaded; reload or unload it first`,
      },
    ]);
  });

  it('hands each plugin its own bundle, keyed by the folder name', async () => {
    await placePlugin(root, GOLDEN.c.id, guestBytes(GOLDEN.c.guest));
    const asked: string[] = [];
    const logs: string[] = [];
    await loadPluginDirectory({
      ...base,
      root,
      registry,
      bundleFor: (id) => {
        asked.push(id);
        return { host_log: (request, context) => (logs.push(`${context.pluginId}: ${request.message}`), '') };
      },
    });
    expect(asked).toEqual([GOLDEN.c.id]);
    expect(await registry.command(GOLDEN.c.id, 'greet', { name: 'Zoë' })).toMatchObject({ success: true });
    expect(logs.some((line) => line.startsWith(`${GOLDEN.c.id}: `))).toBe(true);
  });
});
