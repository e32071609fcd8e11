import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  checkOptions,
  isCanonicalPluginId,
  type GuestManifest,
  type RequestedPermissions,
  type TrustPolicy,
} from '@plinth/protocol';
import {
  loadModule,
  openProtocolPluginFrom,
  resolveLimits,
  type LaneFactory,
  type PluginLimits,
} from '@plinth/runtime';
import { createIsolatedLane } from '@plinth/runtime/node';
import { SIGNATURE_FILE_SUFFIX, type SignatureStatus } from '@plinth/signing';
import { writeFileAtomic } from './atomic-write.js';
import { errorMessage, PluginDirectoryError } from './directory-error.js';
import { installPluginOptionsSchema, uninstallPluginOptionsSchema } from './directory-options.js';
import { readManifestCache, writeManifestCache } from './manifest-cache.js';
import { checkBeforeOpen, checkOpened, readSignatureFile } from './plugin-signature.js';
import { readInstallSource, type InstallSource } from './read-install-source.js';
import { MANIFEST_FILE, MODULE_FILE, pluginDirectoryEntry, SIGNATURE_FILE } from './scan-plugins-root.js';

/** What `installPlugin` needs: the plugins root, the source, the host app version, and the checks to make. */
export interface InstallPluginOptions {
  root: string;
  source: InstallSource;
  /** Expected hex sha256 of the module bytes; a mismatch refuses the install before anything runs. */
  sha256?: string;
  /** Replace an installed plugin with other bytes (its config.json is kept). Default false. */
  replace?: boolean;
  /** The id the manifest must declare, when the caller knows it (e.g. from a catalogue). */
  expectedId?: string;
  hostAppVersion: string;
  /** Limits for checking and opening the module once. */
  limits?: Partial<PluginLimits>;
  allowWasi?: boolean;
  /** Where the manifest is read. Default: the isolated lane, since the module comes from outside. */
  lane?: LaneFactory;
  /** Hears each step as it starts, for progress output. */
  onStep?: (step: InstallStep) => void;
  /**
   * The trust policy the plugin's signature is checked against before anything of it runs or is written
   * (see `SignatureCheckOptions.trust`). Default: none trusted, none required.
   */
  trust?: TrustPolicy | undefined;
  /**
   * The signature file's text or bytes (`@plinth/signing`). Default: for a `{ path }` source, the file
   * `<path>.sig` when it exists; else none (unsigned).
   */
  signature?: string | Uint8Array;
  /** Let a validly signed older version replace the installed one; else `downgrade_refused`. Default false. */
  allowDowngrade?: boolean;
  /**
   * Check everything an install checks and write nothing: the result's `outcome` is what the install would
   * do (`replaced` when other bytes are installed, whether or not `replace` is set). Default false.
   */
  dryRun?: boolean;
}

/**
 * The steps of an install, in order: read the bytes, check the sha256 pin and the signature, check and
 * open the module, write it.
 */
export type InstallStep = 'reading' | 'verifying' | 'checking' | 'writing';

/** What an install did (or, with `dryRun`, would do), and what it wrote. */
export interface InstallResult {
  id: string;
  version: string;
  manifest: GuestManifest;
  dir: string;
  sha256: string;
  /** What the plugin asks for, to show the user and to fill the policy with (`applyManifestDefaults`). */
  requestedPermissions: RequestedPermissions | undefined;
  /** `unchanged`: these exact bytes were already installed (a new signature for them is still written). */
  outcome: 'installed' | 'replaced' | 'unchanged';
  /** Who signed it (by the trusted key's name), or unsigned. */
  signature: SignatureStatus;
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/**
 * Installs a plugin under `<root>/<manifest id>`: reads and checks the bytes (sha256 pin, the runtime's
 * module checks), opens the module once with no host functions to read its manifest, then moves it into
 * place. A new plugin is staged in a hidden folder of the root and renamed in whole; a replaced one has
 * its files renamed over the old ones (module first, so a reload never pairs the new manifest with the old
 * module). Whatever fails, nothing is left behind.
 */
export async function installPlugin(options: InstallPluginOptions): Promise<InstallResult> {
  checkOptions('installPlugin', installPluginOptionsSchema, options);
  const limits = resolveLimits(options.limits);
  const pin = options.sha256;
  if (pin !== undefined && !SHA256_HEX.test(pin)) {
    throw new PluginDirectoryError(
      'sha256_mismatch',
      `the sha256 pin ${JSON.stringify(pin)} is not 64 hex digits`,
    );
  }
  const step = (name: InstallStep): void => options.onStep?.(name);
  step('reading');
  const { bytes, origin } = await readInstallSource(options.source, limits.moduleMaxBytes);
  step('verifying');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (pin !== undefined && pin.toLowerCase() !== sha256) {
    throw new PluginDirectoryError(
      'sha256_mismatch',
      `cannot install from ${origin}: sha256 mismatch: expected ${pin.toLowerCase()}, got ${sha256}`,
      { path: origin },
    );
  }
  const signatureBytes = await readSignatureSource(options);
  const checks = {
    ...(options.trust === undefined ? {} : { trust: options.trust }),
    ...(options.allowDowngrade === true ? { allowDowngrade: true } : {}),
  };
  // A signed module is refused here, before any of its code runs, unless a trusted key signed these bytes.
  const early =
    signatureBytes === undefined
      ? undefined
      : checkBeforeOpen({
          signature: signatureBytes,
          sha256,
          pluginId: options.expectedId,
          path: signatureOrigin(options, origin),
          manifest: undefined,
          checks,
        });
  step('checking');
  const moduleOptions = { limits, ...(options.allowWasi ? { allowWasi: true } : {}) };
  await loadModule({ bytes, origin }, moduleOptions);
  const plugin = await openProtocolPluginFrom({
    ...moduleOptions,
    source: { bytes, origin },
    hostAppVersion: options.hostAppVersion,
    lane: options.lane ?? createIsolatedLane,
    bundle: {},
    ...(options.expectedId === undefined ? {} : { expectedId: options.expectedId }),
  });
  const manifest = plugin.manifest;
  await plugin.shutdown().catch(() => undefined);
  if (!isCanonicalPluginId(manifest.id)) {
    // The schema already demands it; checked again because the id becomes a folder name.
    throw new PluginDirectoryError('invalid_id', `cannot install ${manifest.id}: not a canonical plugin id`);
  }

  const root = resolve(options.root);
  const entry = pluginDirectoryEntry(root, manifest.id);
  const installed = await installedSha256(entry.modulePath, entry.dir);
  // The floor for a downgrade: the version recorded for the installed bytes.
  const installedVersion =
    installed === undefined || installed === ''
      ? undefined
      : (await readManifestCache(entry.manifestPath, installed))?.version;
  // The same bytes again without a signature keep the one installed with them.
  const kept =
    early === undefined && installed === sha256 ? await readSignatureFile(entry.signaturePath) : undefined;
  const signature =
    early ??
    checkBeforeOpen({
      signature: kept,
      sha256,
      pluginId: manifest.id,
      path: kept === undefined ? undefined : entry.signaturePath,
      manifest,
      checks,
    });
  checkOpened(signature, manifest, { ...checks, runningVersion: () => installedVersion });
  const result = (outcome: InstallResult['outcome']): InstallResult => ({
    id: manifest.id,
    version: manifest.version,
    manifest,
    dir: entry.dir,
    sha256,
    requestedPermissions: manifest.requested_permissions,
    outcome,
    signature: signature.status,
  });
  if (options.dryRun === true) {
    return result(installed === undefined ? 'installed' : installed === sha256 ? 'unchanged' : 'replaced');
  }
  if (installed === sha256) {
    // The same bytes signed anew (a rotated key): the new signature replaces the old one.
    if (signatureBytes !== undefined) await writeSignature(entry.signaturePath, signatureBytes, manifest.id);
    return result('unchanged');
  }
  if (installed !== undefined && options.replace !== true) {
    throw new PluginDirectoryError(
      'already_installed',
      `plugin ${manifest.id} is already installed at ${entry.dir} with other bytes; pass replace: true to replace it`,
      { path: entry.dir, pluginId: manifest.id },
    );
  }

  step('writing');
  await mkdir(root, { recursive: true });
  const staging = await mkdtemp(join(root, '.install-'));
  try {
    await writeFile(join(staging, MODULE_FILE), bytes);
    await writeManifestCache(join(staging, MANIFEST_FILE), sha256, manifest);
    if (signatureBytes !== undefined) await writeFile(join(staging, SIGNATURE_FILE), signatureBytes);
    if (installed === undefined) {
      await rename(staging, entry.dir).catch((error: unknown) => {
        throw new PluginDirectoryError(
          'already_installed',
          `cannot install ${manifest.id} at ${entry.dir}: ${errorMessage(error)}`,
          { path: entry.dir, pluginId: manifest.id, cause: error },
        );
      });
      return result('installed');
    }
    await rename(join(staging, MODULE_FILE), entry.modulePath);
    await rename(join(staging, MANIFEST_FILE), entry.manifestPath);
    // The old signature never stays beside other bytes: it would refuse them on the next load.
    if (signatureBytes === undefined) await rm(entry.signaturePath, { force: true });
    else await rename(join(staging, SIGNATURE_FILE), entry.signaturePath);
    return result('replaced');
  } catch (error) {
    if (PluginDirectoryError.isInstance(error)) throw error;
    throw new PluginDirectoryError(
      'write_failed',
      `cannot install ${manifest.id} at ${entry.dir}: ${errorMessage(error)}`,
      {
        path: entry.dir,
        pluginId: manifest.id,
        cause: error,
      },
    );
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The signature to install with: given, else `<path>.sig` beside a path source, else none. */
async function readSignatureSource(options: InstallPluginOptions): Promise<Uint8Array | undefined> {
  if (options.signature !== undefined) {
    return typeof options.signature === 'string'
      ? new TextEncoder().encode(options.signature)
      : options.signature;
  }
  return 'path' in options.source
    ? readSignatureFile(`${options.source.path}${SIGNATURE_FILE_SUFFIX}`)
    : undefined;
}

const signatureOrigin = (options: InstallPluginOptions, origin: string): string =>
  options.signature === undefined ? `${origin}${SIGNATURE_FILE_SUFFIX}` : `the signature given for ${origin}`;

async function writeSignature(path: string, bytes: Uint8Array, id: string): Promise<void> {
  await writeFileAtomic(path, bytes).catch((error: unknown) => {
    throw new PluginDirectoryError('write_failed', `cannot write ${path}: ${errorMessage(error)}`, {
      path,
      pluginId: id,
      cause: error,
    });
  });
}

/** The sha256 of the installed module; undefined when no plugin folder exists; '' for a folder without one. */
async function installedSha256(modulePath: string, dir: string): Promise<string | undefined> {
  try {
    await stat(dir);
  } catch {
    return undefined;
  }
  try {
    return createHash('sha256')
      .update(await readFile(modulePath))
      .digest('hex');
  } catch {
    return '';
  }
}

/** Which plugin folder `uninstallPlugin` removes: its id under the plugins root. */
export interface UninstallPluginOptions {
  root: string;
  id: string;
}

/**
 * Removes a plugin folder (unload it from the registry first). The folder is renamed out of the way in one
 * step and deleted after, so a watcher or a scan never sees half of it.
 */
export async function uninstallPlugin(options: UninstallPluginOptions): Promise<{ dir: string }> {
  checkOptions('uninstallPlugin', uninstallPluginOptionsSchema, options);
  const { id } = options;
  if (!isCanonicalPluginId(id)) {
    throw new PluginDirectoryError('invalid_id', `cannot uninstall ${JSON.stringify(id)}: not a plugin id`);
  }
  const root = resolve(options.root);
  const { dir } = pluginDirectoryEntry(root, id);
  const doomed = join(root, `.uninstall-${id}-${randomBytes(6).toString('hex')}`);
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    await rename(dir, doomed);
  } catch (error) {
    throw new PluginDirectoryError(
      'not_installed',
      `plugin ${id} is not installed in ${root}: ${errorMessage(error)}`,
      {
        path: dir,
        pluginId: id,
        cause: error,
      },
    );
  }
  await rm(doomed, { recursive: true, force: true });
  return { dir };
}
