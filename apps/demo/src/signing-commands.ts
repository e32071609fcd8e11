import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeGuestManifest, PlinthError, type GuestManifest, type TrustPolicy } from '@plinth/protocol';
import { policyFromFrontMatter } from '@plinth/host-node/policy';
import { openPlugin } from '@plinth/runtime';
import {
  checkPluginSignature,
  checkSignedManifest,
  formatSignature,
  generateSigningKeyPair,
  readPrivateKey,
  readPublicKey,
  signPlugin,
  SIGNATURE_FILE_SUFFIX,
  type SignatureStatus,
} from '@plinth/signing';
import { CliError, UsageError, type CliIo } from './cli-io.js';

/** The files `keygen` writes into its folder. */
export const PRIVATE_KEY_FILE = 'plinth-signing.key';
export const PUBLIC_KEY_FILE = 'plinth-signing.pub';

/** `signed by "release" (key 1a2b…, 2026-05-01T12:00:00.000Z)` / `unsigned`: how the demo names a state. */
export function signatureWords(status: SignatureStatus | undefined): string {
  if (status === undefined) return 'not checked yet';
  if (status.state === 'unsigned') return 'unsigned — who built it is unknown';
  return `signed by "${status.keyName}" (key ${status.keyId}, ${status.signedAt})`;
}

/** What a refusal for a signature reason is, in a word or two; undefined for other codes. */
export function refusalWords(code: string): string | undefined {
  const words: Record<string, string> = {
    signature_required: 'unsigned, but a signature is required',
    signature_invalid: 'invalid signature',
    signature_untrusted: 'untrusted signing key',
    signature_mismatch: 'signature does not match the manifest',
    downgrade_refused: 'downgrade refused',
  };
  return words[code];
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

function readBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CliError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

/** The module's own manifest: opened with no host functions, its `manifest` export called once. */
export async function readModuleManifest(bytes: Uint8Array, origin: string): Promise<GuestManifest> {
  const plugin = await openPlugin({ source: { bytes, origin } });
  try {
    const decoded = decodeGuestManifest((await plugin.callText('manifest', '')) ?? '');
    if (!decoded.ok) throw decoded.error;
    return decoded.value;
  } finally {
    await plugin.close();
  }
}

function keygen(out: string, io: CliIo): void {
  const dir = resolve(out);
  const privatePath = join(dir, PRIVATE_KEY_FILE);
  const publicPath = join(dir, PUBLIC_KEY_FILE);
  for (const path of [privatePath, publicPath]) {
    if (existsSync(path)) throw new CliError(`${path} exists; keygen never overwrites a key`);
  }
  const pair = generateSigningKeyPair();
  mkdirSync(dir, { recursive: true });
  writeFileSync(privatePath, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
  chmodSync(privatePath, 0o600);
  writeFileSync(publicPath, pair.publicKeyPem, { flag: 'wx' });
  io.stdout(
    [
      `key ${pair.keyId}`,
      `  private: ${privatePath} (keep it secret; sign with it)`,
      `  public:  ${publicPath}`,
      'To trust it, add to the policy (notes/README.md front matter):',
      'trust:',
      '  keys:',
      '    - name: <who signs with it>',
      `      public_key: ${pair.publicKey}`,
      '',
    ].join('\n'),
  );
}

async function sign(modulePath: string, keyPath: string, io: CliIo): Promise<void> {
  const privateKey = readPrivateKey(readText(keyPath, 'the private key'), keyPath);
  const bytes = readBytes(modulePath, 'the module');
  const manifest = await readModuleManifest(bytes, modulePath);
  const signature = signPlugin({ module: bytes, manifest, privateKey });
  const out = `${modulePath}${SIGNATURE_FILE_SUFFIX}`;
  writeFileSync(out, formatSignature(signature));
  io.stdout(
    `signed ${manifest.id} ${manifest.version} (sha256 ${signature.signed.module_sha256}) with key ${privateKey.keyId}\n  wrote ${out}\n`,
  );
}

/** The trust the demo host would use: the workspace policy's `trust` section. */
async function workspaceTrust(policyFile: string): Promise<TrustPolicy | undefined> {
  const source = await policyFromFrontMatter(policyFile, { watch: false });
  try {
    return source.current().policy.trust;
  } finally {
    await source.close();
  }
}

async function verify(
  modulePath: string,
  trustPath: string | undefined,
  policyFile: () => string,
  io: CliIo,
): Promise<void> {
  const bytes = readBytes(modulePath, 'the module');
  const signaturePath = `${modulePath}${SIGNATURE_FILE_SUFFIX}`;
  if (!existsSync(signaturePath))
    throw new CliError(`${modulePath} is unsigned: there is no ${signaturePath}`);
  const signature = readBytes(signaturePath, 'the signature');
  let trust: TrustPolicy | undefined;
  let against: string;
  if (trustPath === undefined) {
    const file = policyFile();
    trust = await workspaceTrust(file);
    against = `the trusted keys of ${file}`;
  } else {
    const key = readPublicKey(readText(trustPath, 'the public key'), trustPath);
    trust = { keys: [{ name: trustPath, public_key: key.base64 }], plugins: {} };
    against = `key ${key.keyId} (${trustPath})`;
  }
  const checked = checkPluginSignature({ signature, module: bytes, trust, path: signaturePath });
  if (!checked.ok) throw checked.error;
  const { verified, status } = checked.value;
  if (verified === undefined || status.state !== 'signed') throw new CliError('expected a signed module');
  // The signed id, version and request must be the module's own.
  const manifest = await readModuleManifest(bytes, modulePath);
  const matched = checkSignedManifest(verified, manifest);
  if (!matched.ok) throw matched.error;
  io.stdout(
    `✓ ${modulePath}: ${manifest.id} ${manifest.version}, ${signatureWords(status)}\n  verified against ${against}\n`,
  );
}

export interface SigningCommandArgs {
  args: string[];
  out: string | undefined;
  key: string | undefined;
  trust: string | undefined;
  /** The workspace policy file, for `verify` without `--trust` (opens the workspace only then). */
  policyFile: () => string;
}

/** keygen, sign and verify (no host is started); undefined for any other command. */
export function runSigningCommand(
  command: string,
  options: SigningCommandArgs,
  io: CliIo,
): Promise<number> | undefined {
  const { args } = options;
  const one = (what: string, usage: string): string => {
    if (args.length > 1) throw new UsageError(`too many arguments (usage: plinth-demo ${usage})`);
    const value = args[0];
    if (value === undefined) throw new UsageError(`missing ${what}`);
    return value;
  };
  const run = async (work: () => Promise<void> | void): Promise<number> => {
    try {
      await work();
      return 0;
    } catch (error) {
      if (PlinthError.isInstance(error) || error instanceof CliError) throw error;
      throw new CliError((error as Error).message);
    }
  };
  switch (command) {
    case 'keygen':
      if (args.length > 0)
        throw new UsageError('too many arguments (usage: plinth-demo keygen [--out <dir>])');
      return run(() => keygen(options.out ?? '.', io));
    case 'sign': {
      const modulePath = one('the plugin.wasm to sign', 'sign <plugin.wasm> --key <private key file>');
      const key = options.key;
      if (key === undefined)
        throw new UsageError('sign needs --key <private key file> (make one with keygen)');
      return run(() => sign(modulePath, key, io));
    }
    case 'verify': {
      const modulePath = one('the plugin.wasm to verify', 'verify <plugin.wasm> [--trust <public key file>]');
      return run(() => verify(modulePath, options.trust, options.policyFile, io));
    }
    default:
      return undefined;
  }
}
