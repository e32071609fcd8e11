/** Shared manifest fixtures. Kept free of `node:` imports: protocol sources must stay runtime-neutral. */

/** The smallest manifest the contract accepts: only the required fields. */
export const minimalManifest = {
  id: 'acme.word-count',
  name: 'Word count',
  version: '1.0.0',
  description: 'Counts words.',
  capabilities: [],
} as const;

/** A copy of the minimal manifest with some fields replaced (or removed with `undefined`). */
export function manifestWith(overrides: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...minimalManifest };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out;
}
