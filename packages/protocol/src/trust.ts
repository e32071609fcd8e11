import { z } from 'zod';
import { isCanonicalPluginId } from './version.js';

const SEGMENT = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';

/** A plugin id prefix: one or more id segments followed by `.*` (`acme.*` matches `acme.notes`, `acme.x.y`). */
export const PLUGIN_ID_PREFIX_PATTERN = new RegExp(`^${SEGMENT}(?:\\.${SEGMENT})*\\.\\*$`);

/**
 * An Ed25519 public key as a policy holds it: the base64 of its 32 raw bytes (44 characters), or a PEM
 * `PUBLIC KEY` block (SPKI). The shape is checked here; that it really is an Ed25519 key is checked where
 * signatures are verified (`@plinth/signing`).
 */
export const PUBLIC_KEY_TEXT_PATTERN =
  /^(?:[A-Za-z0-9+/]{43}=|\s*-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=\s]+-----END PUBLIC KEY-----\s*)$/;

/** Whether a `plugins` entry of a trusted key names `pluginId`: the exact id, or a prefix ending in `.*`. */
export function matchesPluginPattern(pattern: string, pluginId: string): boolean {
  return pattern.endsWith('.*') ? pluginId.startsWith(pattern.slice(0, -1)) : pattern === pluginId;
}

/** One entry of a trust policy's `keys`: a named Ed25519 public key and the plugins it may sign. */
export const trustedKeySchema = z
  .object({
    name: z.string().min(1).describe('Who the key belongs to; hosts show "signed by <name>".'),
    public_key: z
      .string()
      .regex(PUBLIC_KEY_TEXT_PATTERN, {
        error: 'public_key must be an Ed25519 public key: base64 of its 32 bytes, or a PEM PUBLIC KEY block',
      })
      .describe('The Ed25519 public key: base64 of its 32 raw bytes, or a PEM "PUBLIC KEY" block.'),
    plugins: z
      .array(
        z.string().refine((value) => isCanonicalPluginId(value) || PLUGIN_ID_PREFIX_PATTERN.test(value), {
          error: 'must be a plugin id (acme.notes) or an id prefix ending in .* (acme.*)',
        }),
      )
      .optional()
      .describe('Plugin ids or id prefixes (`acme.*`) this key may sign; every plugin when absent.'),
  })
  .describe('A public key whose signatures the host trusts.');

/** A trusted public key, its name, and the plugin ids or prefixes it may sign (all when absent). */
export type TrustedKey = z.output<typeof trustedKeySchema>;

/** One plugin's entry under a trust policy's `plugins`. */
export const pluginTrustSchema = z
  .object({
    require_signature: z
      .boolean()
      .optional()
      .describe("Overrides the host's require_signature for this plugin."),
  })
  .describe('Trust settings for one plugin.');

/**
 * Which plugin signatures a host accepts (the `trust` section of a policy). A plugin signed by a trusted
 * key loads; one signed by any other key, or whose signature does not match its bytes or manifest, is
 * refused; an unsigned one is refused when `require_signature` is true, loads silently when it is false,
 * and loads with a warning when it is not set. The permission engine ignores this section.
 */
export const trustPolicySchema = z
  .object({
    keys: z.array(trustedKeySchema).default([]).describe('The public keys whose signatures are trusted.'),
    require_signature: z
      .boolean()
      .optional()
      .describe('Refuse unsigned plugins (true), allow them silently (false); absent: allow with a warning.'),
    plugins: z
      .record(z.string(), pluginTrustSchema)
      .default({})
      .describe('Per-plugin settings, keyed by plugin id; they win over the host-wide ones.'),
  })
  .superRefine((trust, context) => {
    const seen = new Set<string>();
    for (const [index, key] of trust.keys.entries()) {
      if (seen.has(key.name)) {
        context.addIssue({
          code: 'custom',
          path: ['keys', index, 'name'],
          message: `the key name "${key.name}" is used twice; each trusted key needs its own name`,
        });
      }
      seen.add(key.name);
    }
  })
  .describe('Which plugin signatures the host trusts, and whether unsigned plugins load.');

/** A policy's `trust` section after defaults. */
export type TrustPolicy = z.output<typeof trustPolicySchema>;

/** What the trust policy says about unsigned copies of a plugin: `require` refuses, `warn` and `allow` load. */
export function unsignedPolicyFor(
  trust: TrustPolicy | undefined,
  pluginId: string,
): 'require' | 'warn' | 'allow' {
  const required = trust?.plugins[pluginId]?.require_signature ?? trust?.require_signature;
  return required === undefined ? 'warn' : required ? 'require' : 'allow';
}

/** The trusted keys that may sign `pluginId`, in policy order. */
export function trustedKeysFor(trust: TrustPolicy | undefined, pluginId: string): TrustedKey[] {
  return (trust?.keys ?? []).filter(
    (key) =>
      key.plugins === undefined || key.plugins.some((pattern) => matchesPluginPattern(pattern, pluginId)),
  );
}
