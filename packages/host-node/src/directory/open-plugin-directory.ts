import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkOptions, PlinthError } from '@plinth/protocol';
import {
  openPlugin,
  openProtocolPluginFrom,
  type OpenPluginOptions,
  type LaneFactory,
  type OpenProtocolPluginOptions,
  type PluginHandle,
  type PluginOpener,
  type PluginRegistry,
} from '@plinth/runtime';
import { type HostBundle } from '@plinth/host-kit';
import { writeManifestCache, readManifestCache } from './manifest-cache.js';
import { readConfigSidecar } from './config-sidecar.js';
import { errorMessage } from './directory-error.js';
import { directoryOpenOptionsSchema } from './directory-options.js';
import {
  checkBeforeOpen,
  checkOpened,
  readSignatureFile,
  type SignatureCheckOptions,
} from './plugin-signature.js';
import type { PluginDirectoryEntry } from './scan-plugins-root.js';
import {
  EXTISM_DESCRIPTION_FILE,
  genericToolsHandle,
  manifestOfDescription,
  manifestOptionsOf,
  readExtismDescription,
  type ExtismDescription,
} from './generic-plugin.js';

/** Options of `openProtocolPluginFrom` the directory decides itself. */
type DirectoryOwned =
  | 'source'
  | 'sha256'
  | 'expectedId'
  | 'pluginId'
  | 'cachedManifest'
  | 'storedConfig'
  | 'bundle'
  | 'lane'
  | 'hostAppVersion';

/** Everything else a caller may set per plugin: limits, initContext, log, allowWasi, onHostCall, … */
export type ExtraOpenOptions = Omit<OpenProtocolPluginOptions, DirectoryOwned>;

export interface DirectoryOpenOptions extends SignatureCheckOptions {
  /** The embedding app's version, checked against each manifest's `min_app_version`. */
  hostAppVersion: string;
  /** The host functions of one plugin (its id is the folder name, which the manifest id must equal). */
  bundleFor: (pluginId: string) => HostBundle;
  /**
   * Where instances run; the runtime's in-thread lane when absent. Pass `createIsolatedLane` from
   * `@plinth/runtime/node` for plugins installed from outside, and whenever a bundle is asynchronous.
   */
  lane?: LaneFactory;
  /** The lane of one plugin, chosen per plugin each time it opens; wins over `lane`. */
  laneFor?: (entry: PluginDirectoryEntry) => LaneFactory;
  /** More open options for one plugin (limits, initContext, log, …), asked each time it opens. */
  openOptions?: (entry: PluginDirectoryEntry) => ExtraOpenOptions;
  /**
   * What a generic Extism plugin (a folder with `extism.json`) opens with besides its module and
   * description: `httpTransport` for its allowed hosts, the app's `functions`, `guestLog`, `fuel`, `limits`, …
   */
  genericOpenOptions?: (
    entry: PluginDirectoryEntry,
    description: ExtismDescription,
  ) => Partial<OpenPluginOptions> & {
    /** The folders to mount for WASI, as Extism's manifest writes them (host folder → guest path). */
    allowedPaths?: Readonly<Record<string, string>>;
  };
  /** A config.json that could not be used, or a manifest cache that could not be written. */
  onWarning?: (pluginId: string, message: string) => void;
}

/**
 * The opener of one plugin folder, for `PluginRegistry.load` and, since it reads the folder again on every
 * call, for `reload`: plugin.wasm, its signature (plugin.wasm.sig), the manifest cache when it was made
 * from these exact bytes, and the config sidecar. The signature is checked against the trust policy before
 * any of the module's code runs, and against the manifest the plugin really has before it is handed over
 * (`signature_*` and `downgrade_refused` errors). A manifest read from the guest is written back to
 * manifest.json after a successful load.
 */
export function pluginDirectoryOpener(
  entry: PluginDirectoryEntry,
  options: DirectoryOpenOptions,
): PluginOpener {
  checkOptions('pluginDirectoryOpener', directoryOpenOptionsSchema, options);
  return directoryOpener(entry, options);
}

/**
 * The opener the loader and the watcher give their registry: the downgrade floor is the version the
 * registry runs when the opener is called (a reload), unless the caller set `runningVersion`.
 */
export function registryOpener(
  entry: PluginDirectoryEntry,
  options: DirectoryOpenOptions & { registry: Pick<PluginRegistry, 'get'> },
): PluginOpener {
  const { registry } = options;
  return directoryOpener(entry, {
    runningVersion: (pluginId) => registry.get(pluginId)?.version,
    ...options,
  });
}

/** `pluginDirectoryOpener` for the loader and the watcher, whose own options (a superset) are checked. */
export function directoryOpener(entry: PluginDirectoryEntry, options: DirectoryOpenOptions): PluginOpener {
  return async () => {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(entry.modulePath);
    } catch (error) {
      throw new PlinthError('load_failed', `cannot read ${entry.modulePath}: ${errorMessage(error)}`, {
        pluginId: entry.id,
        cause: error,
      });
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const description = await readExtismDescription(join(entry.dir, EXTISM_DESCRIPTION_FILE), entry.id);
    if (description !== undefined) return openGeneric(entry, options, { bytes, sha256, description });
    const cachedManifest = await readManifestCache(entry.manifestPath, sha256);
    const signature = checkBeforeOpen({
      signature: await readSignatureFile(entry.signaturePath),
      sha256,
      pluginId: entry.id,
      path: entry.signaturePath,
      manifest: cachedManifest,
      checks: options,
    });
    const { config, warning } = await readConfigSidecar(entry.configPath);
    if (warning !== undefined) options.onWarning?.(entry.id, warning);
    const lane = options.laneFor?.(entry) ?? options.lane;
    const plugin = await openProtocolPluginFrom({
      ...options.openOptions?.(entry),
      source: { bytes, origin: entry.modulePath },
      // Pins the bytes the cache was checked against, whatever the file holds by now.
      sha256,
      expectedId: entry.id,
      pluginId: entry.id,
      hostAppVersion: options.hostAppVersion,
      bundle: options.bundleFor(entry.id),
      ...(lane === undefined ? {} : { lane }),
      storedConfig: config,
      ...(cachedManifest === undefined ? {} : { cachedManifest }),
    });
    try {
      checkOpened(signature, plugin.manifest, options);
    } catch (error) {
      await plugin.shutdown().catch(() => undefined);
      throw error;
    }
    if (cachedManifest === undefined) {
      await writeManifestCache(entry.manifestPath, sha256, plugin.manifest).catch((error: unknown) => {
        options.onWarning?.(entry.id, `cannot write ${entry.manifestPath}: ${errorMessage(error)}`);
      });
    }
    options.onSignature?.(entry.id, signature.status, { sha256 });
    return plugin;
  };
}

/**
 * A generic Extism plugin's folder: the module with its `extism.json` (manifest options and tools), its
 * signature checked against the manifest the description makes, served as a handle whose commands are the
 * tools.
 */
async function openGeneric(
  entry: PluginDirectoryEntry,
  options: DirectoryOpenOptions,
  found: { bytes: Uint8Array; sha256: string; description: ExtismDescription },
): Promise<PluginHandle> {
  const { bytes, sha256, description } = found;
  const manifest = manifestOfDescription(entry.id, description);
  const signature = checkBeforeOpen({
    signature: await readSignatureFile(entry.signaturePath),
    sha256,
    pluginId: entry.id,
    path: entry.signaturePath,
    manifest,
    checks: options,
  });
  checkOpened(signature, manifest, options);
  const lane = options.laneFor?.(entry) ?? options.lane;
  const { allowedPaths, ...extra } = options.genericOpenOptions?.(entry, description) ?? {};
  const plugin = await openPlugin({
    ...extra,
    manifest: {
      wasm: [{ data: bytes, hash: sha256 }],
      ...manifestOptionsOf(description),
      ...(allowedPaths !== undefined && Object.keys(allowedPaths).length > 0
        ? { allowed_paths: allowedPaths }
        : {}),
    },
    pluginId: entry.id,
    pluginVersion: description.version,
    ...(lane === undefined ? {} : { lane }),
  });
  options.onSignature?.(entry.id, signature.status, { sha256 });
  return genericToolsHandle(plugin, entry.id, description);
}
