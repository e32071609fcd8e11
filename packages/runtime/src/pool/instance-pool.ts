import { checkOptions, type PlinthErrorContext } from '@plinth/protocol';
import type { HostCallContext } from '@plinth/host-kit';
import type { Lane, LaneCallResult } from '../lanes/lane.js';
import { RECYCLE_CODES } from './pool-errors.js';
import { createPool, type PoolStats } from './pool.js';
import { instancePoolOptionsSchema } from '../options/registry-options.js';

// Kept here too: RECYCLE_CODES was first exported from this module.
export { RECYCLE_CODES };

/**
 * Options of `createInstancePool`: how to start an instance, how many to keep, and how long a call may wait.
 */
export interface InstancePoolOptions {
  /** Starts one instance (a lane over the plugin's compiled module). */
  create: () => Promise<Lane>;
  /** Instances kept ready even when idle. Default 1. */
  min?: number;
  /** Instances at most; calls beyond them wait in a queue. Default `max(min, 1)`. */
  max?: number;
  /** How long a call may wait for a free instance before it fails with queue_timeout. Default 10 s. */
  acquireTimeoutMs?: number;
  /** Names the plugin in errors that belong to no call (an instance that cannot start at warm-up). */
  context?: PlinthErrorContext;
  /** Failures no caller receives: starting a spare instance, or closing one. */
  onError?: (error: unknown, during: 'create' | 'close') => void;
  /** An instance was closed and replaced after `error` (one of RECYCLE_CODES). */
  onRecycle?: (error: unknown) => void;
}

/** The counters of an `InstancePool` (the same as any `Pool`'s). */
export type InstancePoolStats = PoolStats;

/** Several lanes over one module, serving calls on whichever instance is free. */
export interface InstancePool {
  /** Runs one call on a free instance; calls on one instance never overlap. */
  call(exportName: string, input: Uint8Array | string, context: HostCallContext): Promise<LaneCallResult>;
  /** A snapshot of the pool's instances and queue. */
  stats(): InstancePoolStats;
  /** Refuses new calls and queued ones, lets in-flight calls finish, then closes every instance. */
  close(): Promise<void>;
}

/** A pool of lanes over one module (see `createPool`). Starts `min` instances, failing if any cannot start. */
export async function createInstancePool(options: InstancePoolOptions): Promise<InstancePool> {
  checkOptions('createInstancePool', instancePoolOptionsSchema, options);
  const pool = await createPool<Lane>({ ...options, destroy: (lane) => lane.close() });
  return {
    call: (exportName, input, context) =>
      pool.use((lane) => lane.call(exportName, input, context), {
        pluginId: context.pluginId,
        pluginVersion: context.pluginVersion,
        exportName,
      }),
    stats: () => pool.stats(),
    close: () => pool.close(),
  };
}
