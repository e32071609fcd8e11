import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrustPolicy } from '@plinth/protocol';
import { PluginRegistry } from '@plinth/runtime';
import { generateSigningKeyPair, type SignatureStatus } from '@plinth/signing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GOLDEN,
  guestBytes,
  guestPath,
  makeRoot,
  placePlugin,
  placeSigned,
  signatureFor,
  trusting,
  waitFor,
  watWithVersion,
} from './__fixtures__/plugins-root.js';
import { installPlugin } from './install-plugin.js';
import { loadPluginDirectory } from './load-plugin-directory.js';
import { pluginDirectoryOpener } from './open-plugin-directory.js';
import { pluginDirectoryEntry, SIGNATURE_FILE } from './scan-plugins-root.js';
import { watchPluginsRoot, type PluginsRootWatcher, type WatchEvent } from './watch-plugins-root.js';

const release = generateSigningKeyPair();
const next = generateSigningKeyPair();
const stranger = generateSigningKeyPair();
const WAT = GOLDEN.wat;
const wat = () => guestBytes(WAT.guest);

let root: string;
let cleanup: () => Promise<void>;
let registry: PluginRegistry;
let watcher: PluginsRootWatcher | undefined;
let trust: TrustPolicy | undefined;
let statuses: Map<string, SignatureStatus>;
beforeEach(async () => {
  ({ root, cleanup } = await makeRoot());
  registry = new PluginRegistry();
  trust = trusting({ release });
  statuses = new Map();
});
afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  await registry.close();
  await cleanup();
});

const options = () => ({
  root,
  registry,
  hostAppVersion: '1.0.0',
  bundleFor: () => ({}),
  trust: () => trust,
  onSignature: (id: string, status: SignatureStatus) => void statuses.set(id, status),
});
const load = () => loadPluginDirectory(options());
const sigPath = (id: string) => join(root, id, SIGNATURE_FILE);

describe('signed plugin folders, checked on every load', { timeout: 30_000 }, () => {
  it('loads a plugin signed by a trusted key and says who signed it', async () => {
    await placeSigned(root, WAT.id, wat(), release);
    const result = await load();
    expect(result.problems).toEqual([]);
    expect(statuses.get(WAT.id)).toMatchObject({ state: 'signed', keyName: 'release', keyId: release.keyId });
    expect(await registry.command(WAT.id, 'ping')).toEqual({ success: true, data: 'pong' });
  });

  it('loads an unsigned plugin (warn by default, allow when the policy says false), refuses it when required', async () => {
    await placePlugin(root, WAT.id, wat());
    trust = undefined;
    await load();
    expect(statuses.get(WAT.id)).toEqual({ state: 'unsigned', policy: 'warn' });
    await registry.unload(WAT.id);
    trust = trusting({ release }, { require_signature: false });
    await load();
    expect(statuses.get(WAT.id)).toEqual({ state: 'unsigned', policy: 'allow' });
    await registry.unload(WAT.id);
    trust = trusting({ release }, { require_signature: true });
    const refused = await load();
    expect(refused.problems).toMatchObject([
      {
        name: WAT.id,
        code: 'signature_required',
        message: expect.stringContaining(`${WAT.id} is unsigned, and the policy requires a signature`),
      },
    ]);
    expect(registry.get(WAT.id)).toBeUndefined();
  });

  it('refuses a tampered module, before any of its code runs', async () => {
    await placePlugin(root, WAT.id, watWithVersion('6.6.6'));
    await writeFile(sigPath(WAT.id), await signatureFor(wat(), release));
    const { problems } = await load();
    expect(problems).toMatchObject([
      {
        name: WAT.id,
        code: 'signature_invalid',
        message: expect.stringMatching(
          /^the module is not the one signed for plinth-golden\.wat 1\.0\.0: sha256/,
        ),
      },
    ]);
    // Refused before the manifest was read from the module: nothing was cached.
    expect(await readdir(join(root, WAT.id))).toEqual(['plugin.wasm', SIGNATURE_FILE]);
  });

  it('refuses a manifest whose request differs from the signed one, read from the module or from the cache', async () => {
    const tampered = await signatureFor(wat(), release, {
      requested_permissions: { defaults: { read_files: { include: ['all'], exclude: [] } }, reasons: {} },
    });
    await placePlugin(root, WAT.id, wat());
    await writeFile(sigPath(WAT.id), tampered);
    const fresh = await load();
    expect(fresh.problems).toMatchObject([
      { name: WAT.id, code: 'signature_mismatch', error: { field: 'requested_permissions' } },
    ]);
    // Now with manifest.json cached from an unsigned load: the cache is compared before the module runs.
    await rm(sigPath(WAT.id));
    await load();
    await registry.unload(WAT.id);
    expect(await readdir(join(root, WAT.id))).toContain('manifest.json');
    await writeFile(sigPath(WAT.id), tampered);
    const cached = await load();
    expect(cached.problems).toMatchObject([
      {
        code: 'signature_mismatch',
        message: expect.stringContaining('requests differ from the ones signed'),
      },
    ]);
  });

  it('refuses a signature by a key the policy does not trust', async () => {
    await placeSigned(root, WAT.id, wat(), stranger);
    const { problems } = await load();
    expect(problems).toMatchObject([
      {
        code: 'signature_untrusted',
        message: `plinth-golden.wat 1.0.0 is signed by key ${stranger.keyId}, which is not trusted; add its public key to trust.keys of the policy to trust it`,
      },
    ]);
  });

  it('refuses a signature moved to another plugin', async () => {
    await placePlugin(root, WAT.id, wat());
    await writeFile(sigPath(WAT.id), await signatureFor(guestBytes(GOLDEN.c.guest), release));
    const { problems } = await load();
    expect(problems).toMatchObject([
      {
        code: 'signature_mismatch',
        message: 'the signature is for plugin plinth-golden.c, not plinth-golden.wat',
      },
    ]);
  });

  it('refuses a signed downgrade on reload, keeps the newer one serving, and takes it when allowed', async () => {
    await placeSigned(root, WAT.id, watWithVersion('1.0.1'), release);
    await load();
    await placeSigned(root, WAT.id, wat(), release);
    const refused = await registry.reload(WAT.id).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: 'downgrade_refused',
      message:
        'plinth-golden.wat 1.0.0 (signed by "release") is older than 1.0.1, which it would replace; allow the downgrade explicitly to go back',
    });
    expect(registry.get(WAT.id)?.version).toBe('1.0.1');
    const entry = pluginDirectoryEntry(root, WAT.id);
    const { root: _root, registry: _registry, ...openOptions } = options();
    const allowed = pluginDirectoryOpener(entry, {
      ...openOptions,
      runningVersion: (id) => registry.get(id)?.version,
      allowDowngrade: true,
    });
    await registry.reload(WAT.id, allowed);
    expect(registry.get(WAT.id)?.version).toBe('1.0.0');
  });

  it('rotates keys: two trusted keys both verify; a removed key no longer does', async () => {
    await placeSigned(root, WAT.id, wat(), release);
    await placeSigned(root, GOLDEN.c.id, guestBytes(GOLDEN.c.guest), next);
    trust = trusting({ release, next });
    expect((await load()).problems).toEqual([]);
    expect(statuses.get(WAT.id)).toMatchObject({ keyName: 'release' });
    expect(statuses.get(GOLDEN.c.id)).toMatchObject({ keyName: 'next' });
    trust = trusting({ next });
    await expect(registry.reload(WAT.id)).rejects.toMatchObject({ code: 'signature_untrusted' });
    await expect(registry.reload(GOLDEN.c.id)).resolves.toMatchObject({ state: 'active' });
  });

  it('hot-reloads a re-signed module: refused while its signature is stale, taken once the new one lands', async () => {
    await placeSigned(root, WAT.id, wat(), release);
    await load();
    const events: WatchEvent[] = [];
    watcher = await watchPluginsRoot({
      ...options(),
      debounceMs: 150,
      onEvent: (event) => events.push(event),
    });
    const updated = watWithVersion('1.0.1');
    await writeFile(join(root, WAT.id, 'plugin.wasm'), updated);
    const failed = await waitFor(
      () => events.find((event): event is Extract<WatchEvent, { type: 'failed' }> => event.type === 'failed'),
      'the refused reload',
    );
    expect(failed.problem.code).toBe('signature_invalid');
    expect(registry.get(WAT.id)?.version).toBe('1.0.0');
    trust = trusting({ release, next });
    await writeFile(sigPath(WAT.id), await signatureFor(updated, next));
    await waitFor(() => registry.get(WAT.id)?.version === '1.0.1', 'the re-signed module');
    expect(statuses.get(WAT.id)).toMatchObject({ state: 'signed', keyName: 'next' });
    expect(await registry.command(WAT.id, 'ping')).toEqual({ success: true, data: 'pong' });
  });
});

describe('installing signed plugins', { timeout: 30_000 }, () => {
  const install = (extra: Partial<Parameters<typeof installPlugin>[0]> = {}) =>
    installPlugin({ root, hostAppVersion: '1.0.0', source: { bytes: wat() }, trust, ...extra });

  it('takes <path>.sig beside a path source, and writes it into the plugin folder', async () => {
    const source = join(root, 'incoming.wasm');
    await writeFile(source, await readFile(guestPath(WAT.guest)));
    await writeFile(`${source}.sig`, await signatureFor(wat(), release));
    const result = await installPlugin({
      root: join(root, 'plugins'),
      hostAppVersion: '1.0.0',
      source: { path: source },
      trust,
    });
    expect(result.signature).toMatchObject({ state: 'signed', keyName: 'release' });
    expect(await readFile(join(result.dir, SIGNATURE_FILE), 'utf8')).toBe(
      await readFile(`${source}.sig`, 'utf8'),
    );
  });

  it('refuses an untrusted or tampered signature and leaves nothing behind', async () => {
    const untrusted = await install({ signature: await signatureFor(wat(), stranger) }).catch(
      (error: unknown) => error,
    );
    expect(untrusted).toMatchObject({ code: 'signature_untrusted' });
    const tampered = await install({
      source: { bytes: watWithVersion('1.0.1') },
      signature: await signatureFor(wat(), release),
    }).catch((error: unknown) => error);
    expect(tampered).toMatchObject({ code: 'signature_invalid' });
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses a signed downgrade unless allowed, and drops a stale signature when replaced by unsigned bytes', async () => {
    await install({
      source: { bytes: watWithVersion('1.0.1') },
      signature: await signatureFor(watWithVersion('1.0.1'), release),
    });
    const older = await signatureFor(wat(), release);
    await expect(install({ signature: older, replace: true })).rejects.toMatchObject({
      code: 'downgrade_refused',
    });
    expect(await readFile(join(root, WAT.id, SIGNATURE_FILE), 'utf8')).not.toBe(older);
    const allowed = await install({ signature: older, replace: true, allowDowngrade: true });
    expect(allowed).toMatchObject({ outcome: 'replaced', version: '1.0.0', signature: { state: 'signed' } });
    const again = await install({ signature: older, replace: true });
    expect(again).toMatchObject({ outcome: 'unchanged', signature: { state: 'signed' } });
    // The same bytes again without a signature: the installed one still vouches for them.
    expect((await install({ replace: true })).signature).toMatchObject({
      state: 'signed',
      keyName: 'release',
    });
    const unsigned = await install({ source: { bytes: watWithVersion('1.0.2') }, replace: true });
    expect(unsigned.signature).toEqual({ state: 'unsigned', policy: 'warn' });
    expect(await readdir(join(root, WAT.id))).not.toContain(SIGNATURE_FILE);
  });
});
