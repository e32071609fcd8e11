import { createHash, verify } from 'node:crypto';
import { requestedPermissionsSchema, type GuestManifest, type TrustedKey } from '@plinth/protocol';
import stableStringify from 'fast-json-stable-stringify';
import semver from 'semver';
import { readPublicKey, type PublicSigningKey } from './keys.js';
import { SignatureError, type SigningResult } from './signature-error.js';
import { parseSignature, signedMessage, type PluginSignature, type SignedFields } from './signature-file.js';

/** A signature that verified: by which trusted key, and what it vouches for. */
export interface VerifiedSignature {
  keyId: string;
  keyName: string;
  signed: SignedFields;
}

/** What `verifyPluginSignature` checks: the signature, the module, and the keys to accept. */
export interface VerifyPluginSignatureOptions {
  /** The signature: parsed, or the signature file's text or bytes. */
  signature: PluginSignature | string | Uint8Array;
  /** The module bytes, or their hex sha256 when the caller has it already. */
  module: Uint8Array | { sha256: string };
  /** The keys to accept (a policy's `trust.keys`, or `trustedKeysFor(trust, pluginId)`). */
  keys: readonly Pick<TrustedKey, 'name' | 'public_key'>[];
  /** The id the plugin is installed under: a signature made for another id is `signature_mismatch`. */
  pluginId?: string;
  /** The signature file's path, named in errors. */
  path?: string;
}

const fail = <T>(error: SignatureError): SigningResult<T> => ({ ok: false, error });

/**
 * Verifies a plugin signature: made by one of `keys` (else `signature_untrusted`), a valid Ed25519
 * signature over its fields (else `signature_invalid`), for `pluginId` when given (else
 * `signature_mismatch`) and for exactly these module bytes (else `signature_invalid`). Never throws.
 * Compare the signed manifest fields with the plugin's own manifest with `checkSignedManifest`.
 */
export function verifyPluginSignature(
  options: VerifyPluginSignatureOptions,
): SigningResult<VerifiedSignature> {
  const { path } = options;
  const at = path === undefined ? {} : { path };
  let signature: PluginSignature;
  if (typeof options.signature === 'string' || options.signature instanceof Uint8Array) {
    const parsed = parseSignature(options.signature, path);
    if (!parsed.ok) return parsed;
    signature = parsed.value;
  } else {
    signature = options.signature;
  }
  const { signed, key_id: keyId } = signature;
  let key: (PublicSigningKey & { name: string }) | undefined;
  for (const [index, candidate] of options.keys.entries()) {
    let publicKey: PublicSigningKey;
    try {
      publicKey = readPublicKey(candidate.public_key, `trusted key ${index} ("${candidate.name}")`);
    } catch (error) {
      return fail(error as SignatureError);
    }
    if (publicKey.keyId === keyId) {
      key = { ...publicKey, name: candidate.name };
      break;
    }
  }
  const context = { ...at, keyId, pluginId: signed.plugin_id, pluginVersion: signed.plugin_version };
  if (key === undefined) {
    return fail(
      new SignatureError(
        'signature_untrusted',
        `${signed.plugin_id} ${signed.plugin_version} is signed by key ${keyId}, which is not trusted${options.keys.length === 0 ? ' (no key is)' : ''}`,
        context,
      ),
    );
  }
  const valid = verify(null, signedMessage(signature), key.key, Buffer.from(signature.signature, 'base64'));
  if (!valid) {
    return fail(
      new SignatureError(
        'signature_invalid',
        `the signature of ${signed.plugin_id} ${signed.plugin_version} by "${key.name}" (key ${keyId}) does not verify: the signature file was altered or made with another key`,
        context,
      ),
    );
  }
  if (options.pluginId !== undefined && options.pluginId !== signed.plugin_id) {
    return fail(
      new SignatureError(
        'signature_mismatch',
        `the signature is for plugin ${signed.plugin_id}, not ${options.pluginId}`,
        { ...context, pluginId: options.pluginId, field: 'plugin_id' },
      ),
    );
  }
  const sha256 =
    options.module instanceof Uint8Array
      ? createHash('sha256').update(options.module).digest('hex')
      : options.module.sha256.toLowerCase();
  if (sha256 !== signed.module_sha256) {
    return fail(
      new SignatureError(
        'signature_invalid',
        `the module is not the one signed for ${signed.plugin_id} ${signed.plugin_version}: sha256 ${sha256}, signed ${signed.module_sha256}`,
        context,
      ),
    );
  }
  return { ok: true, value: { keyId, keyName: key.name, signed } };
}

/** The downgrade rule of `checkSignedManifest`. */
export interface CheckSignedManifestOptions {
  /** The version running now (or installed): a signed older version is `downgrade_refused`. */
  runningVersion?: string | undefined;
  /** Let an older version replace `runningVersion`. Default false. */
  allowDowngrade?: boolean | undefined;
}

/** A requested-permissions value as the manifest schema reads it (defaults applied), as canonical JSON. */
function canonicalRequest(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const parsed = requestedPermissionsSchema.safeParse(value);
  // An unreadable signed request can match no manifest: compare it as written.
  return stableStringify(parsed.success ? parsed.data : value);
}

const MAX_SHOWN = 300;
const shown = (text: string): string => (text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text);

/**
 * Compares what a verified signature vouches for with the plugin's own manifest: id, version and
 * requested permissions must be equal (else `signature_mismatch` naming the field), and the version may
 * not be older than `runningVersion` unless `allowDowngrade` (else `downgrade_refused`). Never throws.
 */
export function checkSignedManifest(
  verified: VerifiedSignature,
  manifest: Pick<GuestManifest, 'id' | 'version' | 'requested_permissions'>,
  options: CheckSignedManifestOptions = {},
): SigningResult<VerifiedSignature> {
  const { signed, keyId } = verified;
  const context = { keyId, pluginId: manifest.id, pluginVersion: manifest.version };
  const mismatch = (field: 'plugin_id' | 'plugin_version' | 'requested_permissions', message: string) =>
    fail<VerifiedSignature>(new SignatureError('signature_mismatch', message, { ...context, field }));
  if (signed.plugin_id !== manifest.id) {
    return mismatch(
      'plugin_id',
      `the signature is for plugin ${signed.plugin_id}, but the manifest says ${manifest.id}`,
    );
  }
  if (signed.plugin_version !== manifest.version) {
    return mismatch(
      'plugin_version',
      `the signature is for ${signed.plugin_id} ${signed.plugin_version}, but the manifest says version ${manifest.version}`,
    );
  }
  const signedRequest = canonicalRequest(signed.requested_permissions);
  const request = canonicalRequest(manifest.requested_permissions);
  if (signedRequest !== request) {
    return mismatch(
      'requested_permissions',
      `the permissions ${manifest.id} ${manifest.version} requests differ from the ones signed: signed ${shown(signedRequest)}, requested ${shown(request)}`,
    );
  }
  return checkDowngrade(verified, options);
}

/**
 * Refuses a signed version older than `runningVersion` unless `allowDowngrade` (`downgrade_refused`).
 * The version is the signed one, so a host can check this before running any of the module's code.
 */
export function checkDowngrade(
  verified: VerifiedSignature,
  options: CheckSignedManifestOptions,
): SigningResult<VerifiedSignature> {
  const { plugin_id: id, plugin_version: version } = verified.signed;
  const running = options.runningVersion;
  const older = running !== undefined && semver.valid(running) !== null && semver.lt(version, running);
  if (older && options.allowDowngrade !== true) {
    return fail(
      new SignatureError(
        'downgrade_refused',
        `${id} ${version} (signed by "${verified.keyName}") is older than ${running}, which it would replace; allow the downgrade explicitly to go back`,
        { keyId: verified.keyId, pluginId: id, pluginVersion: version },
      ),
    );
  }
  return { ok: true, value: verified };
}
