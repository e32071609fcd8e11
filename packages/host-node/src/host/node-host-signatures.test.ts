import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeyPair } from '@plinth/signing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GOLDEN, guestBytes, signatureFor, watWithVersion } from '../directory/__fixtures__/plugins-root.js';
import { createNodeHost } from './create-node-host.js';
import type { NodeHost, NodeHostLogEntry } from './node-host-types.js';

const release = generateSigningKeyPair();
const stranger = generateSigningKeyPair();
const WAT = GOLDEN.wat.id;
const C = GOLDEN.c.id;

let base: string;
let host: NodeHost | undefined;
const logs: NodeHostLogEntry[] = [];
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'plinth-node-host-signing-'));
  mkdirSync(join(base, 'workspace'), { recursive: true });
  logs.length = 0;
});
afterEach(async () => {
  await host?.close();
  host = undefined;
  await rm(base, { recursive: true, force: true });
});

const readme = () => join(base, 'workspace', 'README.md');
const trustYaml = (require = false) =>
  `trust:\n  # the release key\n  keys:\n    - name: release\n      public_key: ${release.publicKey}\n${require ? '  require_signature: true\n' : ''}`;

function place(id: string, bytes: Uint8Array, signature?: string): void {
  mkdirSync(join(base, 'plugins', id), { recursive: true });
  writeFileSync(join(base, 'plugins', id, 'plugin.wasm'), bytes);
  if (signature !== undefined) writeFileSync(join(base, 'plugins', id, 'plugin.wasm.sig'), signature);
}

async function open(frontMatter: string) {
  writeFileSync(readme(), `---\nplugins: {}\n${frontMatter}---\n# Notes\n`);
  host = await createNodeHost({
    workspaceRoot: join(base, 'workspace'),
    pluginsRoot: join(base, 'plugins'),
    // One test starts with no plugin folder at all: it installs into an empty root.
    create: true,
    policy: { frontMatter: readme() },
    hostAppVersion: '1.0.0',
    lane: 'in-thread',
    watch: false,
    onLog: (entry) => logs.push(entry),
  });
  return { node: host, started: await host.start() };
}

describe('createNodeHost and plugin signatures', { timeout: 30_000 }, () => {
  it('with no trust section, loads unsigned plugins with a warning log entry and no error', async () => {
    place(C, guestBytes(GOLDEN.c.guest));
    const { node, started } = await open('');
    expect(started.problems).toEqual([]);
    expect(node.plugin(C)?.signature).toEqual({ state: 'unsigned', policy: 'warn' });
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        source: 'host',
        pluginId: C,
        message: expect.stringContaining(`plugin ${C} is unsigned (no plugin.wasm.sig)`),
      }),
    );
    expect(logs.filter((entry) => entry.level === 'error')).toEqual([]);
  });

  it('shows who signed a plugin, refuses the untrusted one at start, and keeps the trust section through grants', async () => {
    place(WAT, guestBytes(GOLDEN.wat.guest), await signatureFor(guestBytes(GOLDEN.wat.guest), release));
    place(C, guestBytes(GOLDEN.c.guest), await signatureFor(guestBytes(GOLDEN.c.guest), stranger));
    const { node, started } = await open(trustYaml());
    expect(node.plugin(WAT)?.signature).toMatchObject({
      state: 'signed',
      keyName: 'release',
      keyId: release.keyId,
    });
    expect(node.plugins().map((plugin) => plugin.id)).toEqual([WAT]);
    expect(started.problems).toMatchObject([{ name: C, code: 'signature_untrusted' }]);
    await node.grant(WAT, 'read_files', 'Daily');
    const text = readFileSync(readme(), 'utf8');
    expect(text).toContain('  # the release key\n');
    expect(node.policy().trust?.keys.map((key) => key.name)).toEqual(['release']);
    expect(node.policy().plugins[WAT]?.permissions.read_files?.include).toEqual(['Daily']);
  });

  it('installs with the signature given, refuses unsigned installs when required, and reloads a downgrade only when allowed', async () => {
    const { node } = await open(trustYaml(true));
    const newer = watWithVersion('1.0.1');
    await expect(node.install({ bytes: newer })).rejects.toMatchObject({ code: 'signature_required' });
    const installed = await node.install({ bytes: newer }, { signature: await signatureFor(newer, release) });
    expect(installed.signature).toMatchObject({ state: 'signed', keyName: 'release' });
    expect(node.plugin(WAT)).toMatchObject({ version: '1.0.1', signature: { state: 'signed' } });

    const older = guestBytes(GOLDEN.wat.guest);
    place(WAT, older, await signatureFor(older, release));
    await expect(node.reload(WAT)).rejects.toMatchObject({ code: 'downgrade_refused' });
    expect(node.plugin(WAT)).toMatchObject({ version: '1.0.1', error: { code: 'downgrade_refused' } });
    await node.reload(WAT, { allowDowngrade: true });
    expect(node.plugin(WAT)).toMatchObject({ version: '1.0.0', error: undefined });
  });
});
