import { checkOptions, PlinthError } from '@plinth/protocol';
import type { PluginInfo, PluginRegistry } from '@plinth/runtime';
import { errorMessage } from './directory-error.js';
import { loadPluginDirectoryOptionsSchema, loadPluginOptionsSchema } from './directory-options.js';
import { registryOpener, type DirectoryOpenOptions } from './open-plugin-directory.js';
import {
  checkEntry,
  scanPluginsRoot,
  type DirectoryProblem,
  type PluginDirectoryEntry,
} from './scan-plugins-root.js';

export interface LoadPluginDirectoryOptions extends DirectoryOpenOptions {
  root: string;
  registry: PluginRegistry;
  /** Hears each plugin as it starts loading, loads, or is skipped. */
  onProgress?: (event: LoadProgress) => void;
}

/** A step of `loadPluginDirectory` for one plugin. */
export type LoadProgress =
  | { type: 'loading'; pluginId: string; index: number; total: number }
  | { type: 'loaded'; pluginId: string; info: PluginInfo }
  | { type: 'skipped'; pluginId: string; problem: DirectoryProblem };

/** What `loadPluginDirectory` loaded and what it skipped. */
export interface LoadPluginDirectoryResult {
  loaded: PluginInfo[];
  /** Folders that were skipped (found by the scan, or failed to load), in folder-name order. */
  problems: DirectoryProblem[];
}

/**
 * Loads every plugin under a plugins root into the registry, one after another. A bad plugin is reported
 * and skipped, never fatal; only an unreadable root throws. A plugin the registry already has is skipped
 * with `already_loaded` (reload it instead).
 */
export async function loadPluginDirectory(
  options: LoadPluginDirectoryOptions,
): Promise<LoadPluginDirectoryResult> {
  checkOptions('loadPluginDirectory', loadPluginDirectoryOptionsSchema, options);
  const scan = await scanPluginsRoot(options.root);
  const result: LoadPluginDirectoryResult = { loaded: [], problems: [] };
  const problems: DirectoryProblem[] = [...scan.problems];
  for (const problem of scan.problems)
    options.onProgress?.({ type: 'skipped', pluginId: problem.name, problem });
  for (const [index, entry] of scan.entries.entries()) {
    options.onProgress?.({ type: 'loading', pluginId: entry.id, index, total: scan.entries.length });
    const outcome = await loadEntry(entry, options);
    if ('code' in outcome) {
      problems.push(outcome);
      options.onProgress?.({ type: 'skipped', pluginId: entry.id, problem: outcome });
    } else {
      result.loaded.push(outcome);
      options.onProgress?.({ type: 'loaded', pluginId: entry.id, info: outcome });
    }
  }
  result.problems = problems.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return result;
}

export interface LoadPluginOptions extends DirectoryOpenOptions {
  root: string;
  registry: PluginRegistry;
  id: string;
}

/** Loads one plugin folder into the registry; a problem is returned, not thrown. */
export async function loadPluginFromDirectory(
  options: LoadPluginOptions,
): Promise<PluginInfo | DirectoryProblem> {
  checkOptions('loadPluginFromDirectory', loadPluginOptionsSchema, options);
  return loadFromDirectory(options);
}

/** `loadPluginFromDirectory` for the watcher, whose own options (a superset) are checked. */
export async function loadFromDirectory(options: LoadPluginOptions): Promise<PluginInfo | DirectoryProblem> {
  const checked = await checkEntry(options.root, options.id);
  return 'code' in checked ? checked : loadEntry(checked, options);
}

async function loadEntry(
  entry: PluginDirectoryEntry,
  options: DirectoryOpenOptions & { registry: PluginRegistry },
): Promise<PluginInfo | DirectoryProblem> {
  if (options.registry.get(entry.id) !== undefined) {
    return {
      name: entry.id,
      dir: entry.dir,
      code: 'already_loaded',
      message: `plugin ${entry.id} is already loaded; reload or unload it first`,
    };
  }
  try {
    return await options.registry.load(entry.id, registryOpener(entry, options));
  } catch (error) {
    return {
      name: entry.id,
      dir: entry.dir,
      code: PlinthError.isInstance(error) ? error.code : 'load_failed',
      message: errorMessage(error),
      error,
    };
  }
}
