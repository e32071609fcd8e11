import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PluginDirectoryError } from './directory-error.js';
import { GOLDEN, guestBytes, guestPath, makeRoot, watWithVersion } from './__fixtures__/plugins-root.js';
import { installPlugin, uninstallPlugin } from './install-plugin.js';
import { readManifestCache } from './manifest-cache.js';

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ root, cleanup } = await makeRoot()));
afterEach(() => cleanup());

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const base = { hostAppVersion: '1.0.0' };
const caught = async (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error & Record<string, unknown>,
  );

let server: Server;
let origin: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/wat.wasm') response.end(guestBytes(GOLDEN.wat.guest));
    else response.writeHead(404).end('no');
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((closed) => server.close(() => closed())));

describe('installPlugin', { timeout: 30_000 }, () => {
  it('installs from a path under the manifest id, with a manifest cache for the exact bytes', async () => {
    const bytes = guestBytes('golden/as-notes');
    const result = await installPlugin({
      ...base,
      root,
      source: { path: guestPath('golden/as-notes') },
      sha256: sha(bytes),
    });
    expect(result).toMatchObject({
      id: 'plinth-golden.notes',
      version: '1.0.0',
      outcome: 'installed',
      sha256: sha(bytes),
      dir: join(root, 'plinth-golden.notes'),
    });
    expect(result.requestedPermissions?.reasons.read_files).toBe(
      'Count words and collect #tags in your notes.',
    );
    expect(await readdir(root)).toEqual(['plinth-golden.notes']);
    expect(await readdir(result.dir)).toEqual(['manifest.json', 'plugin.wasm']);
    expect(sha(await readFile(join(result.dir, 'plugin.wasm')))).toBe(sha(bytes));
    expect(await readManifestCache(join(result.dir, 'manifest.json'), sha(bytes))).toEqual(result.manifest);
  });

  it('installs from bytes and from a URL', async () => {
    const steps: string[] = [];
    const fromBytes = await installPlugin({
      ...base,
      root,
      source: { bytes: guestBytes(GOLDEN.c.guest) },
      onStep: (step) => steps.push(step),
    });
    expect(fromBytes.id).toBe(GOLDEN.c.id);
    expect(steps).toEqual(['reading', 'verifying', 'checking', 'writing']);
    const fromUrl = await installPlugin({ ...base, root, source: { url: `${origin}/wat.wasm` } });
    expect(fromUrl.id).toBe(GOLDEN.wat.id);
    expect((await readdir(root)).sort()).toEqual([GOLDEN.c.id, GOLDEN.wat.id]);
    const missing = await caught(installPlugin({ ...base, root, source: { url: `${origin}/nope.wasm` } }));
    expect(missing).toMatchObject({
      reason: 'source_unreadable',
      message: `Cannot load the plugin to install from ${origin}/nope.wasm: the server answered 404 Not Found`,
    });
  });

  it('refuses a sha256 mismatch before running anything, leaving nothing behind', async () => {
    const bytes = guestBytes(GOLDEN.wat.guest);
    const steps: string[] = [];
    const error = await caught(
      installPlugin({
        ...base,
        root,
        source: { bytes, origin: 'wat.wasm' },
        sha256: 'f'.repeat(64),
        onStep: (step) => steps.push(step),
      }),
    );
    expect(steps).toEqual(['reading', 'verifying']);
    expect(PluginDirectoryError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reason: 'sha256_mismatch', code: 'load_failed' });
    expect(error.message).toBe(
      `cannot install from wat.wasm: sha256 mismatch: expected ${'f'.repeat(64)}, got ${sha(bytes)}`,
    );
    expect(await readdir(root)).toEqual([]);
    await expect(installPlugin({ ...base, root, source: { bytes }, sha256: 'xyz' })).rejects.toThrow(
      'the sha256 pin "xyz" is not 64 hex digits',
    );
  });

  it.each<[string, string, string, RegExp]>([
    [
      'a corrupt module',
      'corrupt',
      'invalid_module',
      /^Cannot load module from corrupt: not a valid WebAssembly module/,
    ],
    [
      'a module importing env',
      'hostile/hostile-import-env',
      'import_not_allowed',
      /imports function "abort" from "env"/,
    ],
    [
      'an unparseable manifest',
      'hostile/hostile-manifest-invalid-json',
      'manifest_invalid',
      /invalid manifest/,
    ],
    [
      'a too recent min_app_version',
      'hostile/hostile-min-app-version',
      'incompatible_host_version',
      /requires app version 999\.0\.0 or later; this host is version 1\.0\.0/,
    ],
  ])('refuses %s with the runtime error and leaves nothing behind', async (_what, guest, code, message) => {
    const bytes =
      guest === 'corrupt' ? new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0x0b]) : guestBytes(guest);
    const error = await caught(installPlugin({ ...base, root, source: { bytes, origin: guest } }));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(await readdir(root)).toEqual([]);
  });

  it('ends a manifest export that never returns at the time limit (isolated lane by default)', async () => {
    const error = await caught(
      installPlugin({
        ...base,
        root,
        source: { path: guestPath('hostile/hostile-loop-manifest') },
        limits: { timeoutMs: 500 },
      }),
    );
    expect(error.code).toBe('timeout');
    expect(await readdir(root)).toEqual([]);
  });

  it('refuses a manifest id other than the expected one', async () => {
    const error = await caught(
      installPlugin({
        ...base,
        root,
        source: { bytes: guestBytes(GOLDEN.wat.guest) },
        expectedId: 'acme.other',
      }),
    );
    expect(error.code).toBe('id_mismatch');
    expect(error.message).toContain('acme.other');
    expect(error.message).toContain(GOLDEN.wat.id);
    expect(await readdir(root)).toEqual([]);
  });

  it('is a no-op for the same bytes, refuses other bytes, and replaces them on request keeping config.json', async () => {
    await installPlugin({ ...base, root, source: { bytes: guestBytes(GOLDEN.wat.guest) } });
    const dir = join(root, GOLDEN.wat.id);
    await writeFile(join(dir, 'config.json'), '{"kept":true}');
    expect(
      (await installPlugin({ ...base, root, source: { bytes: guestBytes(GOLDEN.wat.guest) } })).outcome,
    ).toBe('unchanged');

    const newer = watWithVersion('1.0.1');
    const refused = await caught(installPlugin({ ...base, root, source: { bytes: newer } }));
    expect(refused).toMatchObject({ reason: 'already_installed', path: dir });
    expect(refused.message).toBe(
      `plugin ${GOLDEN.wat.id} is already installed at ${dir} with other bytes; pass replace: true to replace it`,
    );
    expect(sha(await readFile(join(dir, 'plugin.wasm')))).toBe(sha(guestBytes(GOLDEN.wat.guest)));

    const replaced = await installPlugin({ ...base, root, source: { bytes: newer }, replace: true });
    expect(replaced).toMatchObject({ outcome: 'replaced', version: '1.0.1' });
    expect(sha(await readFile(join(dir, 'plugin.wasm')))).toBe(sha(newer));
    expect(await readFile(join(dir, 'config.json'), 'utf8')).toBe('{"kept":true}');
    expect((await readManifestCache(join(dir, 'manifest.json'), sha(newer)))?.version).toBe('1.0.1');
    expect(await readdir(root)).toEqual([GOLDEN.wat.id]);
  });
});

describe('uninstallPlugin', () => {
  it('removes the folder, refuses a missing plugin and a name that is not an id', async () => {
    await installPlugin({ ...base, root, source: { bytes: guestBytes(GOLDEN.wat.guest) } });
    expect(await uninstallPlugin({ root, id: GOLDEN.wat.id })).toEqual({ dir: join(root, GOLDEN.wat.id) });
    expect(await readdir(root)).toEqual([]);
    expect(await caught(uninstallPlugin({ root, id: GOLDEN.wat.id }))).toMatchObject({
      reason: 'not_installed',
    });
    const traversal = await caught(uninstallPlugin({ root, id: '../etc' }));
    expect(traversal).toMatchObject({
      reason: 'invalid_id',
      message: 'cannot uninstall "../etc": not a plugin id',
    });
  });
});
