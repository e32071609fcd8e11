import { trustedKeysFor, unsignedPolicyFor, type TrustPolicy } from '@plinth/protocol';
import { readPublicKey } from './keys.js';
import { SignatureError, type SigningResult } from './signature-error.js';
import { parseSignature } from './signature-file.js';
import { verifyPluginSignature, type VerifiedSignature } from './verify-plugin.js';

/** The signature state of a plugin that may load. */
export type SignatureStatus =
  | { state: 'signed'; keyId: string; keyName: string; signedAt: string }
  /** `warn`: the policy does not say (load it, with a warning); `allow`: it allows unsigned copies. */
  | { state: 'unsigned'; policy: 'warn' | 'allow' };

/** What `checkPluginSignature` decided for a plugin that may load. */
export interface PluginSignatureCheck {
  status: SignatureStatus;
  /** For a signed plugin: compare it with the manifest (`checkSignedManifest`) before the plugin serves. */
  verified: VerifiedSignature | undefined;
}

/** What `checkPluginSignature` needs: the signature file (if any), the module, and the trust policy. */
export interface CheckPluginSignatureOptions {
  /** The signature file's text or bytes; undefined when the plugin has none. */
  signature: string | Uint8Array | undefined;
  module: Uint8Array | { sha256: string };
  /** The policy's `trust` section; none means no trusted key and no requirement. */
  trust: TrustPolicy | undefined;
  /**
   * The plugin's id (its folder name) when known; else the id the signature claims picks the keys, and
   * `checkSignedManifest` compares it with the manifest.
   */
  pluginId?: string;
  /** The signature file's path, named in errors. */
  path?: string;
}

/**
 * Decides whether a plugin may load as far as its signature goes, under a trust policy: unsigned is
 * `signature_required` when the policy requires a signature for it, else allowed (`policy` says whether
 * to warn); signed must verify with a key the policy trusts for this plugin (`verifyPluginSignature`).
 * Never throws.
 */
export function checkPluginSignature(
  options: CheckPluginSignatureOptions,
): SigningResult<PluginSignatureCheck> {
  const { trust, path } = options;
  if (options.signature === undefined) {
    const id = options.pluginId;
    const policy = unsignedPolicyFor(trust, id ?? '');
    if (policy === 'require') {
      const setting =
        id !== undefined && trust?.plugins[id]?.require_signature !== undefined
          ? `trust.plugins.${id}.require_signature`
          : 'trust.require_signature';
      return {
        ok: false,
        error: new SignatureError(
          'signature_required',
          `${id ?? 'the plugin'} is unsigned, and the policy requires a signature (${setting}); sign it and put the signature beside plugin.wasm`,
          id === undefined ? {} : { pluginId: id },
        ),
      };
    }
    return { ok: true, value: { status: { state: 'unsigned', policy }, verified: undefined } };
  }
  const parsed = parseSignature(options.signature, path);
  if (!parsed.ok) return parsed;
  const pluginId = options.pluginId ?? parsed.value.signed.plugin_id;
  const verified = verifyPluginSignature({
    signature: parsed.value,
    module: options.module,
    keys: trustedKeysFor(trust, pluginId),
    ...(options.pluginId === undefined ? {} : { pluginId }),
    ...(path === undefined ? {} : { path }),
  });
  if (!verified.ok) {
    if (verified.error.code !== 'signature_untrusted') return verified;
    return { ok: false, error: untrusted(verified.error, trust, pluginId) };
  }
  const { keyId, keyName, signed } = verified.value;
  return {
    ok: true,
    value: {
      status: { state: 'signed', keyId, keyName, signedAt: signed.signed_at },
      verified: verified.value,
    },
  };
}

/** The untrusted-key error, saying whether the key is trusted for other plugins, and what to do. */
function untrusted(error: SignatureError, trust: TrustPolicy | undefined, pluginId: string): SignatureError {
  const scoped = (trust?.keys ?? []).find((key) => {
    try {
      return readPublicKey(key.public_key).keyId === error.keyId;
    } catch {
      return false;
    }
  });
  const hint = scoped
    ? `; the policy trusts "${scoped.name}" only for ${(scoped.plugins ?? []).join(', ')}`
    : '; add its public key to trust.keys of the policy to trust it';
  return new SignatureError('signature_untrusted', `${error.message}${hint}`, {
    ...error.context,
    pluginId,
    cause: error.cause,
    ...(error.keyId === undefined ? {} : { keyId: error.keyId }),
    ...(error.path === undefined ? {} : { path: error.path }),
  });
}
