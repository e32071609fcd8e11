import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isCanonicalPluginId, type PlinthErrorCode } from '@plinth/protocol';
import { errorMessage, PluginDirectoryError } from './directory-error.js';

/** The module's file name in a plugin folder. */
export const MODULE_FILE = 'plugin.wasm';
/** The manifest cache's file name in a plugin folder; the host writes it (see `writeManifestCache`). */
export const MANIFEST_FILE = 'manifest.json';
/** The config sidecar's file name in a plugin folder (see `readConfigSidecar`). */
export const CONFIG_FILE = 'config.json';
/** The module's detached signature (`@plinth/signing`), when it has one. */
export const SIGNATURE_FILE = 'plugin.wasm.sig';

/** One plugin folder under a plugins root (PROTOCOL.md §6), not loaded yet. */
export interface PluginDirectoryEntry {
  /** The folder name, which the manifest id must equal. */
  id: string;
  dir: string;
  modulePath: string;
  manifestPath: string;
  configPath: string;
  signaturePath: string;
}

/** Problems found without loading, then the runtime's codes for plugins that failed to load. */
export type DirectoryProblemCode =
  'not_a_directory' | 'invalid_name' | 'missing_module' | 'unreadable' | 'already_loaded' | PlinthErrorCode;

/** A plugin folder that was skipped, and why. Never fatal for the other plugins. */
export interface DirectoryProblem {
  /** The folder name (a plugin id, when it is one). */
  name: string;
  dir: string;
  code: DirectoryProblemCode;
  message: string;
  error?: unknown;
}

/** What `scanPluginsRoot` found: the usable plugin folders and the problems of the others. */
export interface ScanResult {
  entries: PluginDirectoryEntry[];
  problems: DirectoryProblem[];
}

/** The paths of a plugin folder, whether or not it exists. */
export function pluginDirectoryEntry(root: string, id: string): PluginDirectoryEntry {
  const dir = join(resolve(root), id);
  return {
    id,
    dir,
    modulePath: join(dir, MODULE_FILE),
    manifestPath: join(dir, MANIFEST_FILE),
    configPath: join(dir, CONFIG_FILE),
    signaturePath: join(dir, SIGNATURE_FILE),
  };
}

/**
 * Lists the plugin folders of a root without loading them, sorted by name. Names starting with `.` are
 * skipped silently: they are the host's own temporary folders (installs in progress) and system files.
 */
export async function scanPluginsRoot(root: string): Promise<ScanResult> {
  let names: string[];
  try {
    names = (await readdir(root)).sort();
  } catch (error) {
    throw new PluginDirectoryError(
      'root_unreadable',
      `cannot read the plugins root ${root}: ${errorMessage(error)}`,
      { path: root, cause: error },
    );
  }
  const result: ScanResult = { entries: [], problems: [] };
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const checked = await checkEntry(root, name);
    if ('code' in checked) result.problems.push(checked);
    else result.entries.push(checked);
  }
  return result;
}

/** Checks one folder of the root: a directory with a canonical id as name and a plugin.wasm file. */
export async function checkEntry(
  root: string,
  name: string,
): Promise<PluginDirectoryEntry | DirectoryProblem> {
  const entry = pluginDirectoryEntry(root, name);
  const problem = (code: DirectoryProblemCode, message: string, error?: unknown): DirectoryProblem => ({
    name,
    dir: entry.dir,
    code,
    message,
    ...(error === undefined ? {} : { error }),
  });
  try {
    if (!(await stat(entry.dir)).isDirectory()) {
      return problem(
        'not_a_directory',
        `${entry.dir} is not a directory; a plugin is a folder named after its id`,
      );
    }
  } catch (error) {
    return problem('unreadable', `cannot read ${entry.dir}: ${errorMessage(error)}`, error);
  }
  if (!isCanonicalPluginId(name)) {
    return problem(
      'invalid_name',
      `plugin folder ${JSON.stringify(name)} is not a plugin id (lowercase [a-z0-9-] segments joined by ".", at least two)`,
    );
  }
  try {
    if (!(await stat(entry.modulePath)).isFile()) {
      return problem('missing_module', `${entry.modulePath} is not a file`);
    }
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return missing
      ? problem('missing_module', `plugin folder ${name} has no ${MODULE_FILE}`)
      : problem('unreadable', `cannot read ${entry.modulePath}: ${errorMessage(error)}`, error);
  }
  return entry;
}
