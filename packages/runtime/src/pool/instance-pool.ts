import { PlinthError, type PlinthErrorCode, type PlinthErrorContext } from '@plinth/protocol';
import { describeCall } from '../call-errors.js';
import type { HostCallContext } from '../host/host-bundle.js';
import type { Lane, LaneCallResult } from '../lanes/lane.js';

/**
 * Call failures after which an instance is closed and replaced rather than reused: the guest was stopped
 * mid-call (a trap, a timeout, a limit), so its memory and globals may be half-updated.
 */
export const RECYCLE_CODES: readonly PlinthErrorCode[] = [
  'timeout',
  'out_of_memory',
  'trap',
  'host_calls_exceeded',
  'output_too_large',
  // A lane that reports itself closed while the pool is open has died on its own.
  'closed',
];

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

export interface InstancePoolStats {
  /** Live instances, idle or busy (instances still starting are in `creating`). */
  size: number;
  busy: number;
  idle: number;
  creating: number;
  /** Calls queued for an instance. */
  waiting: number;
  /** Instances started and recycled over the pool's life. */
  created: number;
  recycled: number;
}

export interface InstancePool {
  /** Runs one call on a free instance; calls on one instance never overlap. */
  call(exportName: string, input: Uint8Array | string, context: HostCallContext): Promise<LaneCallResult>;
  stats(): InstancePoolStats;
  /** Refuses new calls and queued ones, lets in-flight calls finish, then closes every instance. */
  close(): Promise<void>;
}

interface Waiter {
  resolve: (lane: Lane) => void;
  reject: (error: unknown) => void;
  context: PlinthErrorContext;
  timer: ReturnType<typeof setTimeout>;
}

/** Starts `min` instances (failing if any cannot start) and returns the pool. */
export async function createInstancePool(options: InstancePoolOptions): Promise<InstancePool> {
  const min = options.min ?? 1;
  const max = options.max ?? Math.max(min, 1);
  const acquireTimeoutMs = options.acquireTimeoutMs ?? 10_000;
  if (!Number.isInteger(min) || min < 0) throw new RangeError(`min must be a whole number; got ${min}`);
  if (!Number.isInteger(max) || max < Math.max(min, 1)) {
    throw new RangeError(
      `max must be a whole number of at least max(min, 1) = ${Math.max(min, 1)}; got ${max}`,
    );
  }
  if (!(acquireTimeoutMs > 0))
    throw new RangeError(`acquireTimeoutMs must be positive; got ${acquireTimeoutMs}`);

  const idle: Lane[] = [];
  const busy = new Set<Lane>();
  const waiters: Waiter[] = [];
  const closings = new Set<Promise<void>>();
  const drainListeners: (() => void)[] = [];
  let creating = 0;
  let created = 0;
  let recycled = 0;
  let closing: Promise<void> | undefined;

  const live = () => idle.length + busy.size + creating;

  const closeLane = (lane: Lane): void => {
    const done = lane
      .close()
      .catch((error: unknown) => options.onError?.(error, 'close'))
      .finally(() => closings.delete(done));
    closings.add(done);
  };

  const notifyDrain = (): void => {
    if (busy.size > 0 || creating > 0) return;
    for (const listener of drainListeners.splice(0)) listener();
  };

  const handOut = (lane: Lane): void => {
    const waiter = waiters.shift();
    if (waiter === undefined) {
      idle.push(lane);
      return;
    }
    clearTimeout(waiter.timer);
    busy.add(lane);
    waiter.resolve(lane);
  };

  const startInstance = (): void => {
    creating += 1;
    created += 1;
    options.create().then(
      (lane) => {
        creating -= 1;
        if (closing) closeLane(lane);
        else handOut(lane);
        notifyDrain();
      },
      (error: unknown) => {
        creating -= 1;
        // The caller this instance was started for gets the reason; no retry loop without a caller.
        const waiter = waiters.shift();
        if (waiter === undefined) options.onError?.(error, 'create');
        else {
          clearTimeout(waiter.timer);
          waiter.reject(createError(error, waiter.context));
        }
        notifyDrain();
      },
    );
  };

  /** Starts instances for queued callers, and back up to `min`, within `max`. */
  const grow = (): void => {
    if (closing) return;
    while (live() < max && (waiters.length > creating || live() < min)) startInstance();
  };

  const acquire = (context: PlinthErrorContext): Promise<Lane> => {
    if (closing) return Promise.reject(closedError(context));
    const lane = idle.pop();
    if (lane !== undefined) {
      busy.add(lane);
      return Promise.resolve(lane);
    }
    return new Promise<Lane>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        context,
        timer: setTimeout(() => {
          const at = waiters.indexOf(waiter);
          if (at >= 0) waiters.splice(at, 1);
          reject(
            new PlinthError(
              'queue_timeout',
              `${describeCall(context)} waited ${acquireTimeoutMs} ms for a free instance; all ${max} are busy`,
              { ...context, limit: 'acquireTimeoutMs' },
            ),
          );
        }, acquireTimeoutMs),
      };
      waiters.push(waiter);
      grow();
    });
  };

  const release = (lane: Lane, failure: { error: unknown } | undefined): void => {
    busy.delete(lane);
    const broken = failure !== undefined && mustRecycle(failure.error);
    if (closing || broken) {
      closeLane(lane);
      if (broken && !closing) {
        recycled += 1;
        options.onRecycle?.(failure.error);
      }
      grow();
    } else handOut(lane);
    notifyDrain();
  };

  // Warm up: all of `min` or nothing, so a module that cannot start fails here, not on the first call.
  const warm = await Promise.allSettled(Array.from({ length: min }, () => options.create()));
  created += min;
  const failed = warm.find((result) => result.status === 'rejected');
  for (const result of warm) {
    if (result.status === 'fulfilled') (failed ? closeLane : (lane: Lane) => idle.push(lane))(result.value);
  }
  if (failed) {
    await Promise.all(closings);
    throw createError(failed.reason, options.context ?? {});
  }

  return {
    async call(exportName, input, context) {
      const errorContext = { pluginId: context.pluginId, pluginVersion: context.pluginVersion, exportName };
      const lane = await acquire(errorContext);
      let result: LaneCallResult;
      try {
        result = await lane.call(exportName, input, context);
      } catch (error) {
        release(lane, { error });
        throw error;
      }
      release(lane, undefined);
      return result;
    },
    stats: () => ({
      size: idle.length + busy.size,
      busy: busy.size,
      idle: idle.length,
      creating,
      waiting: waiters.length,
      created,
      recycled,
    }),
    close() {
      closing ??= (async () => {
        for (const waiter of waiters.splice(0)) {
          clearTimeout(waiter.timer);
          waiter.reject(closedError(waiter.context));
        }
        for (const lane of idle.splice(0)) closeLane(lane);
        if (busy.size > 0 || creating > 0) await new Promise<void>((resolve) => drainListeners.push(resolve));
        await Promise.all(closings);
      })();
      return closing;
    },
  };
}

function mustRecycle(error: unknown): boolean {
  // Lanes reject only with PlinthErrors; anything else is unexplained, so the instance is not trusted.
  return !PlinthError.isInstance(error) || RECYCLE_CODES.includes(error.code);
}

function closedError(context: PlinthErrorContext): PlinthError {
  return new PlinthError(
    'closed',
    `${describeCall(context)} cannot run: the instance pool is closed`,
    context,
  );
}

function createError(error: unknown, context: PlinthErrorContext): PlinthError {
  if (PlinthError.isInstance(error)) return error;
  const why = error instanceof Error ? error.message : String(error);
  return new PlinthError('load_failed', `${describeCall(context)} could not start an instance: ${why}`, {
    ...context,
    cause: error,
  });
}
