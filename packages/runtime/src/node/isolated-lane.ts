import type { ResourceLimits } from 'node:worker_threads';
import { checkOptions } from '@plinth/protocol';
import type { HostBundle } from '@plinth/host-kit';
import type { Lane, LaneOptions } from '../lanes/lane.js';
import { openWorkerLane } from '../worker/worker-lane.js';
import { isolatedLaneOptionsSchema } from './isolated-lane-options.js';
import { WorkerProcess } from './worker-process.js';

/** Kept for readability at call sites: the isolated lane awaits handlers that answer with a promise. */
export type IsolatedHostBundle = HostBundle;

/** Options of `createIsolatedLane`: those of every lane, plus the worker's heap limits. */
export interface IsolatedLaneOptions extends Omit<LaneOptions, 'bundle'> {
  bundle: IsolatedHostBundle;
  /** The worker's JavaScript heap (guest linear memory is bounded by the module's own maximum). */
  resourceLimits?: ResourceLimits;
}

/** The worker heap limits used for each field `resourceLimits` leaves out (in MB). */
export const DEFAULT_WORKER_RESOURCE_LIMITS: Readonly<ResourceLimits> = Object.freeze({
  maxOldGenerationSizeMb: 256,
  maxYoungGenerationSizeMb: 32,
});

/**
 * The isolated lane: one worker thread per instance, running the guest in-thread there, with host
 * functions served on this thread (sync or async handlers) through a blocking shared-memory bridge.
 * Every call has a hard wall-clock limit: on expiry the worker is terminated — even mid infinite loop —
 * and the call rejects with `timeout`. A worker that times out, crashes or exits is replaced by a fresh
 * one for the next call, so the instance then starts with fresh memory: state set by `init` or
 * `set_config` is gone, and the caller decides whether to initialize it again. Its JavaScript heap is
 * bounded by `resourceLimits`; running out of it fails the call with `out_of_memory`.
 */
export function createIsolatedLane(options: IsolatedLaneOptions): Promise<Lane> {
  checkOptions('createIsolatedLane', isolatedLaneOptionsSchema, options);
  const resourceLimits = { ...DEFAULT_WORKER_RESOURCE_LIMITS, ...options.resourceLimits };
  return openWorkerLane(options, (data, events) => new WorkerProcess({ ...data, ...events, resourceLimits }));
}
