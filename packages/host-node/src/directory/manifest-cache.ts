import { readFile } from 'node:fs/promises';
import { parseGuestManifest, type GuestManifest } from '@plinth/protocol';
import { writeFileAtomic } from './atomic-write.js';

/**
 * The field of manifest.json naming the sha256 of the module bytes the manifest was read from. The rest of
 * the file is the GuestManifest itself, so it stays readable as one (unknown fields are ignored).
 */
export const MODULE_SHA256_FIELD = 'module_sha256';

/** Largest manifest.json read; the runtime reads at most 1 MiB of manifest from a guest too. */
const MANIFEST_CACHE_MAX_BYTES = 1024 * 1024;

/**
 * The cached manifest when it was made from exactly these module bytes and still passes the protocol's
 * manifest schema; otherwise undefined, and the host calls `manifest` again. A broken cache is not an
 * error: it is rewritten after the next successful load.
 */
export async function readManifestCache(path: string, sha256: string): Promise<GuestManifest | undefined> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > MANIFEST_CACHE_MAX_BYTES) return undefined;
    text = bytes.toString('utf8');
  } catch {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { [MODULE_SHA256_FIELD]: recorded, ...manifest } = value as Record<string, unknown>;
  if (recorded !== sha256) return undefined;
  const parsed = parseGuestManifest(manifest);
  return parsed.ok ? parsed.value : undefined;
}

/**
 * Writes manifest.json atomically: the manifest plus the sha256 of the module it was read from, so
 * `readManifestCache` trusts it only for those bytes.
 */
export async function writeManifestCache(
  path: string,
  sha256: string,
  manifest: GuestManifest,
): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify({ ...manifest, [MODULE_SHA256_FIELD]: sha256 }, null, 2)}\n`);
}
