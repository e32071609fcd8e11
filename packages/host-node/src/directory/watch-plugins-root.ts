import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { watch } from 'chokidar';
import { checkOptions, PlinthError } from '@plinth/protocol';
import type { PluginInfo, PluginRegistry } from '@plinth/runtime';
import { errorMessage, PluginDirectoryError } from './directory-error.js';
import { watchPluginsRootOptionsSchema } from './directory-options.js';
import { loadFromDirectory } from './load-plugin-directory.js';
import { registryOpener, type DirectoryOpenOptions } from './open-plugin-directory.js';
import {
  CONFIG_FILE,
  MODULE_FILE,
  pluginDirectoryEntry,
  SIGNATURE_FILE,
  type DirectoryProblem,
} from './scan-plugins-root.js';
import { EXTISM_DESCRIPTION_FILE } from './generic-plugin.js';

/** The files of a plugin folder whose change reloads the plugin. */
const WATCHED_FILES: ReadonlySet<string> = new Set([
  MODULE_FILE,
  CONFIG_FILE,
  SIGNATURE_FILE,
  EXTISM_DESCRIPTION_FILE,
]);

export interface WatchPluginsRootOptions extends DirectoryOpenOptions {
  root: string;
  registry: PluginRegistry;
  /**
   * Quiet time after the last change to a plugin's files before it is reloaded. Default 250 ms. Keep it
   * above 100 ms: chokidar drops a change that follows another within its throttle window, and only a timer
   * that fires after that window reads the final state from disk.
   */
  debounceMs?: number;
  /** Hears every load, reload, unload, failure and watcher error. */
  onEvent?: (event: WatchEvent) => void;
}

/** What the watcher did for one plugin, or a watcher error. */
export type WatchEvent =
  | { type: 'loaded' | 'reloaded'; pluginId: string; info: PluginInfo }
  | { type: 'unloaded'; pluginId: string }
  /** A load, reload or unload that did not take; after a failed reload the old instance keeps serving. */
  | { type: 'failed'; pluginId: string; action: 'load' | 'reload' | 'unload'; problem: DirectoryProblem }
  | { type: 'error'; error: Error };

/** A running watcher from `watchPluginsRoot`. */
export interface PluginsRootWatcher {
  /**
   * Records that the plugin now runs what its folder holds (the host just loaded or reloaded it itself,
   * e.g. after an install), so the file events of that same write do not load it a second time.
   */
  markCurrent(pluginId: string): Promise<void>;
  /** Stops watching and waits for the reloads in progress. Loaded plugins stay loaded. */
  close(): Promise<void>;
}

interface PluginState {
  timer: ReturnType<typeof setTimeout> | undefined;
  running: Promise<void> | undefined;
  again: boolean;
}

const DEFAULT_DEBOUNCE_MS = 250;

/**
 * Watches a plugins root (start it after `loadPluginDirectory`): a changed plugin.wasm, plugin.wasm.sig or
 * config.json reloads that plugin through the registry (the old instance serves until the new one is up), a new folder
 * loads, a removed folder (or module) unloads. Changes are debounced per plugin and each plugin's actions
 * run one at a time; what is done is decided by what is on disk when the quiet time ends, not by the
 * order of file events. manifest.json and hidden names are ignored: the host writes those itself.
 */
export async function watchPluginsRoot(options: WatchPluginsRootOptions): Promise<PluginsRootWatcher> {
  checkOptions('watchPluginsRoot', watchPluginsRootOptionsSchema, options);
  const root = resolve(options.root);
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  try {
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new PluginDirectoryError(
      'root_unreadable',
      `cannot watch the plugins root ${root}: ${errorMessage(error)}`,
      {
        path: root,
        cause: error,
      },
    );
  }
  const emit = (event: WatchEvent): void => options.onEvent?.(event);
  const states = new Map<string, PluginState>();
  /** What each plugin's folder held when it was last (re)loaded: module, config and signature hashed. */
  const current = new Map<string, string>();
  const fingerprint = async (id: string): Promise<string> => {
    const entry = pluginDirectoryEntry(root, id);
    const hash = createHash('sha256');
    for (const path of [
      entry.modulePath,
      join(entry.dir, CONFIG_FILE),
      join(entry.dir, SIGNATURE_FILE),
      join(entry.dir, EXTISM_DESCRIPTION_FILE),
    ]) {
      const bytes = await readFile(path).catch(() => undefined);
      hash.update(bytes === undefined ? 'absent' : `present:${bytes.length}:`);
      if (bytes !== undefined) hash.update(bytes);
    }
    return hash.digest('hex');
  };
  let closed = false;

  const reconcile = async (id: string): Promise<void> => {
    const entry = pluginDirectoryEntry(root, id);
    const present = await stat(entry.modulePath).then(
      (stats) => stats.isFile(),
      () => false,
    );
    const loaded = options.registry.get(id) !== undefined;
    const failed = (action: 'load' | 'reload' | 'unload', error: unknown): void =>
      emit({
        type: 'failed',
        pluginId: id,
        action,
        problem: {
          name: id,
          dir: entry.dir,
          code: PlinthError.isInstance(error) ? error.code : 'load_failed',
          message: errorMessage(error),
          error,
        },
      });
    if (!present) {
      if (!loaded) return;
      current.delete(id);
      await options.registry.unload(id).then(
        () => emit({ type: 'unloaded', pluginId: id }),
        (error: unknown) => failed('unload', error),
      );
      return;
    }
    const seen = await fingerprint(id);
    // The host already runs exactly these files (it loaded them itself): nothing to do.
    if (loaded && current.get(id) === seen) return;
    if (loaded) {
      await options.registry.reload(id, registryOpener(entry, options)).then(
        (info) => {
          current.set(id, seen);
          emit({ type: 'reloaded', pluginId: id, info });
        },
        (error: unknown) => failed('reload', error),
      );
      return;
    }
    const outcome = await loadFromDirectory({ ...options, root, id });
    if ('code' in outcome) emit({ type: 'failed', pluginId: id, action: 'load', problem: outcome });
    else {
      current.set(id, seen);
      emit({ type: 'loaded', pluginId: id, info: outcome });
    }
  };

  const run = (id: string, state: PluginState): void => {
    state.timer = undefined;
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = reconcile(id)
      .catch((error: unknown) => emit({ type: 'error', error: asError(error) }))
      .finally(() => {
        state.running = undefined;
        if (state.again && !closed) {
          state.again = false;
          run(id, state);
        } else if (state.timer === undefined) states.delete(id);
      });
  };

  const schedule = (id: string): void => {
    if (closed) return;
    let state = states.get(id);
    if (!state) {
      state = { timer: undefined, running: undefined, again: false };
      states.set(id, state);
    }
    if (state.timer) clearTimeout(state.timer);
    const current = state;
    current.timer = setTimeout(() => run(id, current), debounceMs);
  };

  const onPath = (path: string, isDirectoryEvent: boolean): void => {
    const parts = relative(root, path).split(sep);
    const [id, file] = parts;
    if (id === undefined || id === '' || id.startsWith('.') || id.startsWith('..')) return;
    if (parts.length === 1 && isDirectoryEvent) schedule(id);
    else if (parts.length === 2 && file !== undefined && WATCHED_FILES.has(file)) schedule(id);
  };

  const watcher = watch(root, {
    ignoreInitial: true,
    depth: 1,
    // Hidden names are the host's own temporary files and folders (atomic writes, installs in progress).
    ignored: (path: string) =>
      path !== root &&
      relative(root, path)
        .split(sep)
        .some((part) => part.startsWith('.')),
  });
  watcher.on('all', (event, path) => onPath(path, event === 'addDir' || event === 'unlinkDir'));
  watcher.on('error', (error) => emit({ type: 'error', error: asError(error) }));
  await new Promise<void>((ready) => watcher.once('ready', ready));

  return {
    async markCurrent(id) {
      current.set(id, await fingerprint(id));
    },
    async close() {
      closed = true;
      for (const state of states.values()) if (state.timer) clearTimeout(state.timer);
      await watcher.close();
      await Promise.all([...states.values()].map((state) => state.running));
    },
  };
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
