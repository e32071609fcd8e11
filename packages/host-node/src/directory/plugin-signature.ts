import { readFile } from 'node:fs/promises';
import type { GuestManifest, TrustPolicy } from '@plinth/protocol';
import {
  checkDowngrade,
  checkPluginSignature,
  checkSignedManifest,
  SignatureError,
  SIGNATURE_FILE_MAX_BYTES,
  type PluginSignatureCheck,
  type SignatureStatus,
} from '@plinth/signing';
import { errorMessage } from './directory-error.js';

/** How plugin folders are checked for signatures; shared by the opener, the loader, the watcher and install. */
export interface SignatureCheckOptions {
  /**
   * The policy's `trust` section, or a function read on every open (so an edited policy applies at the next
   * load). None: no key is trusted and none is required — unsigned plugins load (`onSignature` hears
   * `policy: 'warn'`), signed ones are refused as untrusted.
   */
  trust?: TrustPolicy | (() => TrustPolicy | undefined);
  /** Let a validly signed older version replace the running one; else `downgrade_refused`. Default false. */
  allowDowngrade?: boolean;
  /**
   * The version a plugin runs at now, below which a signed version is a downgrade. The loader and the
   * watcher use their registry's; `pluginDirectoryOpener` alone knows none unless given this.
   */
  runningVersion?: (pluginId: string) => string | undefined;
  /**
   * Hears the signature state of each plugin that opens, just before it is handed over, with the sha256 of
   * the module it opened.
   */
  onSignature?: (pluginId: string, status: SignatureStatus, module: { sha256: string }) => void;
}

export const trustOf = (trust: SignatureCheckOptions['trust']): TrustPolicy | undefined =>
  typeof trust === 'function' ? trust() : trust;

/** A signature file's bytes; undefined when there is none. An unreadable one is `signature_invalid`. */
export async function readSignatureFile(path: string): Promise<Uint8Array | undefined> {
  try {
    const bytes = await readFile(path);
    if (bytes.length > SIGNATURE_FILE_MAX_BYTES) {
      throw new Error(`it is ${bytes.length} bytes (at most ${SIGNATURE_FILE_MAX_BYTES})`);
    }
    return bytes;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SignatureError('signature_invalid', `cannot read ${path}: ${errorMessage(error)}`, {
      path,
      cause: error,
    });
  }
}

/**
 * What may be checked before any of the module's code runs: the signature (or its absence) against the
 * trust policy, the signed version against the running one, and a manifest already known for these bytes.
 */
export function checkBeforeOpen(options: {
  signature: Uint8Array | undefined;
  sha256: string;
  pluginId: string | undefined;
  path: string | undefined;
  manifest: GuestManifest | undefined;
  checks: SignatureCheckOptions;
}): PluginSignatureCheck {
  const { checks } = options;
  const result = checkPluginSignature({
    signature: options.signature,
    module: { sha256: options.sha256 },
    trust: trustOf(checks.trust),
    ...(options.pluginId === undefined ? {} : { pluginId: options.pluginId }),
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  if (!result.ok) throw result.error;
  const { verified } = result.value;
  if (verified !== undefined) {
    const floor = downgradeOptions(checks, verified.signed.plugin_id);
    const checked =
      options.manifest === undefined
        ? checkDowngrade(verified, floor)
        : checkSignedManifest(verified, options.manifest, floor);
    if (!checked.ok) throw checked.error;
  }
  return result.value;
}

/** Compares a verified signature with the manifest the plugin really has (a no-op when unsigned). */
export function checkOpened(
  check: PluginSignatureCheck,
  manifest: GuestManifest,
  checks: SignatureCheckOptions,
): void {
  if (check.verified === undefined) return;
  const checked = checkSignedManifest(check.verified, manifest, downgradeOptions(checks, manifest.id));
  if (!checked.ok) throw checked.error;
}

const downgradeOptions = (checks: SignatureCheckOptions, pluginId: string) => ({
  runningVersion: checks.runningVersion?.(pluginId),
  allowDowngrade: checks.allowDowngrade === true,
});
