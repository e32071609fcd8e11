import {
  checkOptions,
  PlinthError,
  type AnyGuestEvent,
  type CommandResponse,
  type GuestEvent,
  type JsonValue,
  type PlinthErrorContext,
} from '@plinth/protocol';
import { describeCall } from '../call-errors.js';
import { createPool, isRecycleError, type PoolStats } from '../pool/pool.js';
import type { CommandCallOptions, ExportCallOptions, PluginHandle, PluginOpener } from './plugin-handle.js';
import { pooledPluginOptionsSchema } from '../options/registry-options.js';

/** Options of `openPooledPlugin`: how to open one instance, how many to keep, and where raw calls may go. */
export interface PooledPluginOptions {
  /** Opens one fully loaded instance (manifest, set_config, init); called for every instance the pool starts. */
  open: PluginOpener;
  /** Instances opened up front and kept even when idle. At least 1 (the first names the plugin). Default 1. */
  min?: number;
  /** Instances at most; commands beyond them wait in a queue. Default `min`. */
  max?: number;
  /** How long a command may wait for a free instance before it fails with queue_timeout. Default 10 s. */
  acquireTimeoutMs?: number;
  /** Failures no caller receives: opening a spare instance, or shutting one down. */
  onError?: (error: unknown, during: 'create' | 'close') => void;
  /** An instance was shut down and replaced after `error` (one of RECYCLE_CODES). */
  onRecycle?: (error: unknown) => void;
  /**
   * Raw export calls (`registry.call`) go to any free instance, as commands do: for generic Extism plugins
   * whose exports keep nothing between calls that another instance would need (each instance has its own
   * memory and vars). Default false: only a pool of one instance takes raw export calls.
   */
  spreadExportCalls?: boolean;
}

/** A plugin served by several instances of itself; a PluginHandle, so the registry loads it like one. */
export interface PooledPlugin extends PluginHandle {
  /** A snapshot of the pool's instances and queue. */
  stats(): PoolStats;
}

/**
 * Opens a pool of instances of one plugin behind a single PluginHandle, so independent commands run in
 * parallel (on the isolated lane, each instance is its own worker). Each command runs on one free
 * instance; one that failed with a RECYCLE_CODES error is shut down and replaced by a freshly opened one.
 * Instances share no guest state: an event is delivered to every live instance (one started later has not
 * seen it), and config reaches each instance through `open` (stored config). Every instance must report
 * the same id and version as the first. Only a pool with `max` 1 (or `spreadExportCalls`) has
 * `callExport`/`hasExport` (raw exports, e.g. WebSocket frames, must reach the one guest that holds the
 * connection's state).
 */
export async function openPooledPlugin(options: PooledPluginOptions): Promise<PooledPlugin> {
  checkOptions('openPooledPlugin', pooledPluginOptionsSchema, options);
  const min = options.min ?? 1;
  const max = options.max ?? min;
  // The first instance opened is the reference the others are checked against.
  const opened: { first?: PluginHandle } = {};
  const create = async (): Promise<PluginHandle> => {
    const handle = await options.open();
    const first = opened.first;
    if (first === undefined) {
      opened.first = handle;
      return handle;
    }
    if (handle.id !== first.id || handle.version !== first.version) {
      await handle.shutdown().catch(() => undefined);
      throw new PlinthError(
        'id_mismatch',
        `pooled plugin ${first.id}@${first.version} opened an instance that declares ${handle.id}@${handle.version}; every instance of a pool must be the same plugin and version`,
        { pluginId: first.id, pluginVersion: first.version },
      );
    }
    return handle;
  };
  const pool = await createPool<PluginHandle>({
    create,
    destroy: (handle) => handle.shutdown(),
    min,
    max,
    acquireTimeoutMs: options.acquireTimeoutMs,
    onError: options.onError,
    onRecycle: options.onRecycle,
  });
  const reference = opened.first;
  // Unreachable: warm-up opened at least one instance or threw.
  if (reference === undefined) throw new Error('openPooledPlugin: no instance was opened');
  const context = (exportName: string) => ({
    pluginId: reference.id,
    pluginVersion: reference.version,
    exportName,
  });

  return {
    id: reference.id,
    version: reference.version,
    manifest: reference.manifest,
    // Every instance runs the same module and manifest, so the first one answers for all.
    handles: (name) => reference.handles(name),
    command(
      name: string,
      params?: JsonValue | null,
      commandOptions?: CommandCallOptions,
    ): Promise<CommandResponse> {
      return pool.use((handle) => handle.command(name, params, commandOptions), context('handle_command'));
    },
    async event(event: GuestEvent | AnyGuestEvent): Promise<PlinthError | null> {
      const eventContext = context('on_event');
      let outcomes: PromiseSettledResult<PlinthError | null>[];
      try {
        outcomes = await pool.each(async (handle) => {
          const failure = await handle.event(event);
          // Thrown so the pool replaces the instance; still reported below like any other failure.
          if (failure !== null && isRecycleError(failure)) throw failure;
          return failure;
        }, eventContext);
      } catch (error) {
        return asPlinthError(error, eventContext);
      }
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') return asPlinthError(outcome.reason, eventContext);
        if (outcome.value !== null) return outcome.value;
      }
      return null;
    },
    // Raw exports carry a stream (WebSocket frames) whose state lives in one guest; spread over several
    // instances it would be split, so only a pool of one instance (recycled, never doubled) takes them.
    ...((max === 1 || options.spreadExportCalls === true) &&
    reference.callExport !== undefined &&
    reference.hasExport !== undefined
      ? {
          hasExport: (name: string) => reference.hasExport?.(name) === true,
          callExport: (exportName: string, input: string | Uint8Array, options?: ExportCallOptions) =>
            pool.use(async (handle) => {
              if (handle.callExport === undefined) {
                throw new PlinthError(
                  'not_handled',
                  `${describeCall(context(exportName))} cannot be called raw`,
                  context(exportName),
                );
              }
              return handle.callExport(exportName, input, options);
            }, context(exportName)),
        }
      : {}),
    shutdown: () => pool.close(),
    stats: () => pool.stats(),
  };
}

function asPlinthError(error: unknown, context: PlinthErrorContext): PlinthError {
  if (PlinthError.isInstance(error)) return error;
  return new PlinthError('trap', `${describeCall(context)} failed: ${String(error)}`, {
    ...context,
    cause: error,
  });
}
