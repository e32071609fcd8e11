import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guestPath } from '@plinth/guests';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.js';

const dir = mkdtempSync(join(tmpdir(), 'plinth-demo-signing-'));
const workspace = join(dir, 'ws');
const keys = join(dir, 'keys');
const otherKeys = join(dir, 'other-keys');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function demo(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(['--workspace', workspace, ...argv], {
    stdout: (text) => void stdout.push(text),
    stderr: (text) => void stderr.push(text),
    env: {},
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

/** A copy of a corpus guest outside the repository, where `sign` may write its .sig. */
function copyGuest(guest: string, name: string): string {
  const path = join(dir, name);
  copyFileSync(guestPath(guest), path);
  return path;
}

const publicKeyOf = (stdout: string): string => /public_key: (\S+)/.exec(stdout)?.[1] ?? '';

describe('plinth-demo keygen, sign and verify', { timeout: 60_000 }, () => {
  let publicKey = '';
  let keyId = '';

  it('keygen writes a key pair (the private half readable by its owner only) and never overwrites one', async () => {
    const made = await demo('keygen', '--out', keys);
    expect(made.code).toBe(0);
    keyId = /^key ([0-9a-f]{16})\n/.exec(made.stdout)?.[1] ?? '';
    expect(keyId).toMatch(/^[0-9a-f]{16}$/);
    publicKey = publicKeyOf(made.stdout);
    expect(publicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(made.stdout).toContain('trust:\n  keys:\n    - name: <who signs with it>\n');
    expect(statSync(join(keys, 'plinth-signing.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(keys, 'plinth-signing.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const again = await demo('keygen', '--out', keys);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `${join(keys, 'plinth-signing.key')} exists; keygen never overwrites a key`,
    );
    expect((await demo('keygen', '--out', otherKeys)).code).toBe(0);
  });

  it('signs a module beside itself and verifies it against the public key file', async () => {
    const wasm = copyGuest('wat-protocol', 'wat.wasm');
    const signed = await demo('sign', wasm, '--key', join(keys, 'plinth-signing.key'));
    expect(signed.code).toBe(0);
    expect(signed.stdout).toMatch(
      new RegExp(
        `^signed plinth-golden\\.wat 1\\.0\\.0 \\(sha256 [0-9a-f]{64}\\) with key ${keyId}\\n  wrote ${wasm}\\.sig\\n$`,
      ),
    );
    expect(JSON.parse(readFileSync(`${wasm}.sig`, 'utf8'))).toMatchObject({
      format: 'plinth-plugin-signature',
      key_id: keyId,
      signed: { plugin_id: 'plinth-golden.wat', plugin_version: '1.0.0' },
    });
    const pub = join(keys, 'plinth-signing.pub');
    const verified = await demo('verify', wasm, '--trust', pub);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(
      new RegExp(
        `^✓ ${wasm}: plinth-golden\\.wat 1\\.0\\.0, signed by "${pub}" \\(key ${keyId}, \\S+Z\\)\\n  verified against key ${keyId}`,
      ),
    );
  });

  it('refuses another key, a tampered module, a missing signature and bad arguments', async () => {
    const wasm = join(dir, 'wat.wasm');
    const other = await demo('verify', wasm, '--trust', join(otherKeys, 'plinth-signing.pub'));
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(
      `plinth-demo verify: [signature_untrusted] plinth-golden.wat 1.0.0 is signed by key ${keyId}, which is not trusted`,
    );
    const tampered = join(dir, 'tampered.wasm');
    writeFileSync(tampered, Buffer.concat([readFileSync(wasm), Buffer.from([0])]));
    copyFileSync(`${wasm}.sig`, `${tampered}.sig`);
    const refused = await demo('verify', tampered, '--trust', join(keys, 'plinth-signing.pub'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /\[signature_invalid\] the module is not the one signed for plinth-golden\.wat 1\.0\.0/,
    );
    const bare = copyGuest('c-protocol', 'c.wasm');
    const unsigned = await demo('verify', bare, '--trust', join(keys, 'plinth-signing.pub'));
    expect(unsigned).toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`${bare} is unsigned: there is no ${bare}.sig`),
    });
    const badKey = await demo('sign', bare, '--key', join(keys, 'plinth-signing.pub'));
    expect(badKey).toMatchObject({ code: 1, stderr: expect.stringContaining('[invalid_signing_key]') });
    for (const [argv, message] of [
      [['sign', bare], 'sign needs --key <private key file>'],
      [['verify'], 'missing the plugin.wasm to verify'],
      [['keygen', 'extra'], 'too many arguments'],
      [['verify', bare, '--key', 'x'], 'unknown option --key'],
    ] as const) {
      const outcome = await demo(...argv);
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toContain(message);
    }
  });

  it('verifies against the workspace policy, and install and list say who signed each plugin', async () => {
    const wasm = join(dir, 'wat.wasm');
    const untrusted = await demo('verify', wasm);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toContain('which is not trusted (no key is)');
    const policy = join(workspace, 'notes', 'README.md');
    const text = readFileSync(policy, 'utf8');
    const close = text.indexOf('\n---\n', 4);
    writeFileSync(
      policy,
      `${text.slice(0, close)}\ntrust:\n  keys:\n    - name: demo release\n      public_key: ${publicKey}${text.slice(close)}`,
    );
    const trusted = await demo('verify', wasm);
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toContain(`signed by "demo release" (key ${keyId}`);
    expect(trusted.stdout).toContain(`verified against the trusted keys of ${policy}`);

    // The seeded HTTP plugin's own bytes, signed: installing them again adds the signature.
    const http = copyGuest('as-http', 'http.wasm');
    expect((await demo('sign', http, '--key', join(keys, 'plinth-signing.key'))).code).toBe(0);
    const installed = await demo('install', http);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toMatch(
      new RegExp(
        `^unchanged plinth-golden\\.http 1\\.0\\.0 \\(sha256 [0-9a-f]{64}\\)\\n  signed by "demo release" \\(key ${keyId}, `,
      ),
    );
    expect(existsSync(join(workspace, 'plinth', 'plugins', 'plinth-golden.http', 'plugin.wasm.sig'))).toBe(
      true,
    );

    // The C plugin's folder gets a signature by a key the policy does not trust: it is refused.
    const c = copyGuest('c-protocol', 'c-other.wasm');
    expect((await demo('sign', c, '--key', join(otherKeys, 'plinth-signing.key'))).code).toBe(0);
    copyFileSync(`${c}.sig`, join(workspace, 'plinth', 'plugins', 'plinth-golden.c', 'plugin.wasm.sig'));
    const listed = await demo('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /plinth-golden\.http 1\.0\.0 \[active\][^]*?\n {2}signed: {3}signed by "demo release" \(key [0-9a-f]{16}, \S+\)\n/,
    );
    expect(listed.stdout).toMatch(
      /plinth-golden\.wat 1\.0\.0 \[active\][^]*?\n {2}signed: {3}unsigned — who built it is unknown\n/,
    );
    expect(listed.stdout).toContain(
      'plinth-golden.c [not loaded] — untrusted signing key\n  error:    [signature_untrusted] plinth-golden.c 1.0.0 is signed by key',
    );
  });
});
