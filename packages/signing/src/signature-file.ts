import { findJsonTextDepthProblem, isCanonicalPluginId, isSemver } from '@plinth/protocol';
import stableStringify from 'fast-json-stable-stringify';
import { z } from 'zod';
import { SignatureError, type SigningResult } from './signature-error.js';

/** The detached signature of a plugin module lives beside it, named `<module file>.sig`. */
export const SIGNATURE_FILE_SUFFIX = '.sig';
/** The `format` field of every signature file. */
export const SIGNATURE_FORMAT = 'plinth-plugin-signature';
/** The `format_version` of the signature files this package writes and reads. */
export const SIGNATURE_FORMAT_VERSION = 1;
/** The signature algorithm named in a signature file; the only one accepted. */
export const SIGNATURE_ALGORITHM = 'ed25519';

/** Largest signature file read: a signature is well under 1 KiB, plus the requested permissions. */
export const SIGNATURE_FILE_MAX_BYTES = 256 * 1024;

/** What a signature vouches for. */
export interface SignedFields {
  /** Hex sha256 of the exact module bytes. */
  module_sha256: string;
  /** The manifest's `id`, `version` and `requested_permissions` (null when it asks for none). */
  plugin_id: string;
  plugin_version: string;
  requested_permissions: Record<string, unknown> | null;
  /** When it was signed: ISO 8601, UTC. */
  signed_at: string;
}

/** A signature file's content (JSON). */
export interface PluginSignature {
  format: typeof SIGNATURE_FORMAT;
  format_version: typeof SIGNATURE_FORMAT_VERSION;
  algorithm: typeof SIGNATURE_ALGORITHM;
  /** The signing key's id (`keyIdOf`): which trusted key to verify with. */
  key_id: string;
  signed: SignedFields;
  /** Base64 of the 64-byte Ed25519 signature over `signedMessage(this)`. */
  signature: string;
}

const signedFieldsSchema = z.strictObject({
  module_sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lowercase hex digits' }),
  plugin_id: z.string().refine(isCanonicalPluginId, { error: 'must be a canonical plugin id' }),
  plugin_version: z.string().refine(isSemver, { error: 'must be a semantic version' }),
  // Kept as written: the message is computed from these exact values.
  requested_permissions: z.record(z.string(), z.unknown()).nullable(),
  signed_at: z.iso.datetime({ error: 'must be an ISO 8601 UTC time such as 2026-05-01T12:00:00.000Z' }),
});

const signatureFileSchema = z.strictObject({
  format: z.literal(SIGNATURE_FORMAT),
  format_version: z.literal(SIGNATURE_FORMAT_VERSION),
  algorithm: z.literal(SIGNATURE_ALGORITHM),
  key_id: z.string().regex(/^[0-9a-f]{16}$/, { error: 'must be 16 lowercase hex digits' }),
  signed: signedFieldsSchema,
  signature: z
    .string()
    .regex(/^[A-Za-z0-9+/]{86}==$/, { error: 'must be the base64 of a 64-byte Ed25519 signature' }),
});

/**
 * The bytes a signature is made over: every field of the file but `signature`, as JSON with its keys
 * sorted at every level and no whitespace, so the same fields always give the same bytes.
 */
export function signedMessage(signature: Omit<PluginSignature, 'signature'>): Buffer {
  const { format, format_version, algorithm, key_id, signed } = signature;
  return Buffer.from(stableStringify({ format, format_version, algorithm, key_id, signed }), 'utf8');
}

/** The text of a signature file: indented JSON with a final newline. */
export function formatSignature(signature: PluginSignature): string {
  return `${JSON.stringify(signature, null, 2)}\n`;
}

/** Reads a signature file's text or bytes. Never throws: a bad file is `signature_invalid` naming the field. */
export function parseSignature(text: string | Uint8Array, where?: string): SigningResult<PluginSignature> {
  const name = where ?? 'the signature';
  const fail = (message: string, cause?: unknown): SigningResult<PluginSignature> => ({
    ok: false,
    error: new SignatureError('signature_invalid', `${name} is not a Plinth plugin signature: ${message}`, {
      ...(cause === undefined ? {} : { cause }),
      ...(where === undefined ? {} : { path: where }),
    }),
  });
  const size = typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength;
  if (size > SIGNATURE_FILE_MAX_BYTES)
    return fail(`it is ${size} bytes (at most ${SIGNATURE_FILE_MAX_BYTES})`);
  const json = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  // Checked before JSON.parse builds it: signing and comparing walk the requested permissions recursively.
  const tooDeep = findJsonTextDepthProblem(json);
  if (tooDeep !== undefined) return fail(tooDeep.message);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return fail(`not JSON (${(error as Error).message})`, error);
  }
  const parsed = signatureFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? issue.path.join('.') : '(root)';
    return fail(`at ${path}: ${issue?.message ?? 'invalid'}`, parsed.error);
  }
  return { ok: true, value: parsed.data as PluginSignature };
}
