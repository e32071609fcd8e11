import { createHash, sign } from 'node:crypto';
import {
  checkOptions,
  defineOptions,
  isCanonicalPluginId,
  isSemver,
  objectOption,
  type GuestManifest,
} from '@plinth/protocol';
import { z } from 'zod';
import { readPrivateKey, type PrivateSigningKey } from './keys.js';
import {
  SIGNATURE_ALGORITHM,
  SIGNATURE_FORMAT,
  SIGNATURE_FORMAT_VERSION,
  signedMessage,
  type PluginSignature,
} from './signature-file.js';

/** What `signPlugin` signs, and with which key. */
export interface SignPluginOptions {
  /** The exact module bytes (plugin.wasm). */
  module: Uint8Array;
  /** The module's own manifest (what its `manifest` export answers, decoded): id, version, request. */
  manifest: Pick<GuestManifest, 'id' | 'version' | 'requested_permissions'>;
  /** A PEM private key (as `generateSigningKeyPair` makes), or one read with `readPrivateKey`. */
  privateKey: string | PrivateSigningKey;
  /** The signing time recorded; default now. */
  signedAt?: Date;
}

const signPluginOptionsSchema = defineOptions<SignPluginOptions>()(
  z.strictObject({
    module: z.custom<Uint8Array>((value) => value instanceof Uint8Array).describe('a Uint8Array'),
    manifest: z
      .looseObject({
        id: z.string().refine(isCanonicalPluginId, { error: 'a canonical plugin id' }),
        version: z.string().refine(isSemver, { error: 'a semantic version' }),
        requested_permissions: z.unknown().optional(),
      })
      .describe('a manifest with id, version and requested_permissions'),
    privateKey: z
      .union([z.string().min(1), objectOption<PrivateSigningKey>('a key from readPrivateKey')])
      .describe('a PEM private key, or readPrivateKey(...)'),
    signedAt: z.date().optional(),
  }),
);

/** A plain JSON copy: no undefined fields, so the file and the signed message hold the same values. */
const plainJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * Signs a plugin module together with its manifest's id, version and requested permissions. Write the
 * result with `formatSignature` to `<module>.sig` beside the module. Throws `invalid_signing_key` for a
 * key that is not an Ed25519 private key, `invalid_options` for anything else malformed.
 */
export function signPlugin(options: SignPluginOptions): PluginSignature {
  checkOptions('signPlugin', signPluginOptionsSchema, options);
  const privateKey =
    typeof options.privateKey === 'string' ? readPrivateKey(options.privateKey) : options.privateKey;
  const { manifest } = options;
  const unsigned: Omit<PluginSignature, 'signature'> = {
    format: SIGNATURE_FORMAT,
    format_version: SIGNATURE_FORMAT_VERSION,
    algorithm: SIGNATURE_ALGORITHM,
    key_id: privateKey.keyId,
    signed: {
      module_sha256: createHash('sha256').update(options.module).digest('hex'),
      plugin_id: manifest.id,
      plugin_version: manifest.version,
      requested_permissions: plainJson(manifest.requested_permissions ?? null),
      signed_at: (options.signedAt ?? new Date()).toISOString(),
    },
  };
  const signature = sign(null, signedMessage(unsigned), privateKey.key).toString('base64');
  return { ...unsigned, signature };
}
