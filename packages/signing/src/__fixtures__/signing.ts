import type { GuestManifest, TrustPolicy } from '@plinth/protocol';
import { generateSigningKeyPair, type SigningKeyPair } from '../keys.js';

/** Module bytes do not need to be a real module: a signature covers whatever bytes it is given. */
export const MODULE = new TextEncoder().encode('\0asm pretend module bytes');

export const MANIFEST: Pick<GuestManifest, 'id' | 'version' | 'requested_permissions'> = {
  id: 'acme.notes',
  version: '1.2.0',
  requested_permissions: {
    defaults: { read_files: { include: ['Daily'], exclude: [] } },
    reasons: { read_files: 'Count words in your daily notes.' },
  },
};

export const keyPair = (): SigningKeyPair => generateSigningKeyPair();

/** A trust section trusting these keys (name → key pair), for every plugin unless `plugins` is given. */
export function trusting(
  keys: Record<string, SigningKeyPair>,
  extra: Partial<TrustPolicy> & { plugins?: TrustPolicy['plugins'] } = {},
  scope?: Record<string, string[]>,
): TrustPolicy {
  return {
    keys: Object.entries(keys).map(([name, pair]) => ({
      name,
      public_key: pair.publicKey,
      ...(scope?.[name] ? { plugins: scope[name] } : {}),
    })),
    plugins: {},
    ...extra,
  };
}
