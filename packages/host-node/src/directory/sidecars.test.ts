import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseGuestManifest, type GuestManifest } from '@plinth/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readConfigSidecar, writeConfigSidecar } from './config-sidecar.js';
import { makeRoot } from './__fixtures__/plugins-root.js';
import { MODULE_SHA256_FIELD, readManifestCache, writeManifestCache } from './manifest-cache.js';

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ root, cleanup } = await makeRoot()));
afterEach(() => cleanup());

const SHA = 'a'.repeat(64);
const parsed = parseGuestManifest({
  id: 'acme.cache',
  name: 'Cache',
  version: '1.2.3',
  description: 'x',
  capabilities: ['custom_commands'],
  commands: ['ping'],
});
if (!parsed.ok) throw parsed.error;
const manifest: GuestManifest = parsed.value;

describe('manifest cache', () => {
  it('round-trips for the same module sha256 and is a GuestManifest with one extra field', async () => {
    const path = join(root, 'manifest.json');
    await writeManifestCache(path, SHA, manifest);
    expect(await readManifestCache(path, SHA)).toEqual(manifest);
    const onDisk = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    expect(onDisk[MODULE_SHA256_FIELD]).toBe(SHA);
    expect(onDisk['id']).toBe('acme.cache');
  });

  it.each<[string, string]>([
    ['other module bytes', JSON.stringify({ ...manifest, module_sha256: 'b'.repeat(64) })],
    ['no sha256 recorded', JSON.stringify(manifest)],
    ['not JSON', '{"id":'],
    ['not an object', '[1]'],
    ['an invalid manifest', JSON.stringify({ id: 'Bad Id', module_sha256: SHA })],
  ])('is ignored when it holds %s', async (_what, text) => {
    const path = join(root, 'manifest.json');
    await writeFile(path, text);
    expect(await readManifestCache(path, SHA)).toBeUndefined();
  });

  it('is ignored when absent', async () => {
    expect(await readManifestCache(join(root, 'manifest.json'), SHA)).toBeUndefined();
  });
});

describe('config sidecar', () => {
  const path = () => join(root, 'config.json');

  it('is {} without a warning when absent', async () => {
    expect(await readConfigSidecar(path())).toEqual({ config: {} });
  });

  it('round-trips an object', async () => {
    await writeConfigSidecar(path(), { daily_folder: 'Journal', nested: { a: [1, 'Zoë'] } });
    expect(await readConfigSidecar(path())).toEqual({
      config: { daily_folder: 'Journal', nested: { a: [1, 'Zoë'] } },
    });
  });

  it.each<[string, string, string]>([
    ['not JSON', '{"a":', 'is not valid JSON ('],
    ['null', 'null', 'holds null, not a JSON object; using {}'],
    ['an array', '[1,2]', 'holds an array, not a JSON object; using {}'],
    ['a number', '42', 'holds a number, not a JSON object; using {}'],
  ])('is {} with a warning naming the file when it is %s', async (_what, text, expected) => {
    await writeFile(path(), text);
    const reading = await readConfigSidecar(path());
    expect(reading.config).toEqual({});
    expect(reading.warning).toContain(`${path()} ${expected}`);
  });
});
