import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeGuestManifest, type GuestManifest, type TrustPolicy } from '@plinth/protocol';
import { openPlugin } from '@plinth/runtime';
import { formatSignature, signPlugin, type SigningKeyPair } from '@plinth/signing';

/** A corpus guest's module file, read by path (host-node must not import @plinth/testkit). */
export const guestPath = (guest: string): string =>
  fileURLToPath(new URL(`../../../../guests/corpus/${guest}/plugin.wasm`, import.meta.url));

export const guestBytes = (guest: string): Uint8Array => readFileSync(guestPath(guest));

/** The ids the golden guests declare. */
export const GOLDEN = {
  c: { guest: 'golden/c-protocol', id: 'plinth-golden.c' },
  wat: { guest: 'golden/wat-protocol', id: 'plinth-golden.wat' },
  rust: { guest: 'golden/rust-protocol', id: 'plinth-golden.rust' },
} as const;

/**
 * The wat-protocol guest with another version in its manifest: the version string sits in a data segment,
 * so replacing it with one of the same length gives a valid module with other bytes.
 */
export function watWithVersion(version: string): Uint8Array {
  const bytes = Buffer.from(guestBytes(GOLDEN.wat.guest));
  const from = Buffer.from('"version":"1.0.0"');
  const to = Buffer.from(`"version":"${version}"`);
  if (to.length !== from.length) throw new Error(`version ${version} must have 5 characters`);
  const at = bytes.indexOf(from);
  if (at === -1 || bytes.indexOf(from, at + 1) !== -1)
    throw new Error('version string not found exactly once');
  to.copy(bytes, at);
  return bytes;
}

export async function makeRoot(): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'plinth-plugins-'));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Puts a module under `<root>/<name>/plugin.wasm`, as an installer would leave it. */
export async function placePlugin(root: string, name: string, bytes: Uint8Array): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'plugin.wasm'), bytes);
  return dir;
}

/** Polls until `check` returns a value other than undefined/false; a generous deadline, never a timing assertion. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A module's own manifest, read the way a build pipeline would before signing it. */
export async function manifestOf(bytes: Uint8Array): Promise<GuestManifest> {
  const plugin = await openPlugin({ source: { bytes } });
  try {
    const decoded = decodeGuestManifest((await plugin.callText('manifest', '')) ?? '');
    if (!decoded.ok) throw decoded.error;
    return decoded.value;
  } finally {
    await plugin.close();
  }
}

/**
 * The text of a signature for `bytes` by `key`, over its real manifest unless `manifest` overrides parts of
 * it (a signature whose signed request differs stands for a manifest tampered after signing).
 */
export async function signatureFor(
  bytes: Uint8Array,
  key: SigningKeyPair,
  manifest: Partial<Pick<GuestManifest, 'id' | 'version' | 'requested_permissions'>> = {},
): Promise<string> {
  const real = await manifestOf(bytes);
  return formatSignature(
    signPlugin({ module: bytes, manifest: { ...real, ...manifest }, privateKey: key.privateKeyPem }),
  );
}

/** Puts a module and its signature by `key` into `<root>/<name>/`. */
export async function placeSigned(
  root: string,
  name: string,
  bytes: Uint8Array,
  key: SigningKeyPair,
): Promise<string> {
  const dir = await placePlugin(root, name, bytes);
  await writeFile(join(dir, 'plugin.wasm.sig'), await signatureFor(bytes, key));
  return dir;
}

/** A trust section trusting each named key for every plugin. */
export const trusting = (
  keys: Record<string, SigningKeyPair>,
  extra: Partial<TrustPolicy> = {},
): TrustPolicy => ({
  keys: Object.entries(keys).map(([name, pair]) => ({ name, public_key: pair.publicKey })),
  plugins: {},
  ...extra,
});
