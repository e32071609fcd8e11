import { checkOptions, type PlinthErrorContext } from '@plinth/protocol';
import { poolOptionsSchema } from '../options/registry-options.js';
import { closedError, createError, isRecycleError, queueTimeoutError } from './pool-errors.js';

export { isRecycleError, RECYCLE_CODES } from './pool-errors.js';

/** Options of `createPool`: how to start and free an instance, how many to keep, and when to replace one. */
export interface PoolOptions<T extends object> {
  /** Starts one instance. */
  create: () => Promise<T>;
  /** Frees one instance (closes a lane, shuts a plugin down). */
  destroy: (instance: T) => Promise<void>;
  /** Instances kept ready even when idle. Default 1. */
  min?: number | undefined;
  /** Instances at most; work beyond them waits in a queue. Default `max(min, 1)`. */
  max?: number | undefined;
  /** How long `use` may wait for a free instance before it fails with queue_timeout. Default 10 s. */
  acquireTimeoutMs?: number | undefined;
  /** Whether a failure thrown by `use`'s function means the instance must be replaced. Default `isRecycleError`. */
  shouldRecycle?: ((error: unknown) => boolean) | undefined;
  /** Names the plugin in errors that belong to no call (an instance that cannot start at warm-up). */
  context?: PlinthErrorContext | undefined;
  /** Failures no caller receives: starting a spare instance, or destroying one. */
  onError?: ((error: unknown, during: 'create' | 'close') => void) | undefined;
  /** An instance was destroyed and replaced after `error`. */
  onRecycle?: ((error: unknown) => void) | undefined;
}

/** A snapshot of a pool: its instances by state, its queue, and its lifetime counts. */
export interface PoolStats {
  /** Live instances, idle or busy (instances still starting are in `creating`). */
  size: number;
  busy: number;
  idle: number;
  creating: number;
  /** Callers queued for an instance. */
  waiting: number;
  /** Instances started and recycled over the pool's life. */
  created: number;
  recycled: number;
}

/**
 * Instances of any kind shared by callers, one caller per instance at a time; failed instances are replaced.
 */
export interface Pool<T extends object> {
  /** Runs `fn` on a free instance, which no other work uses meanwhile; `context` names the work in errors. */
  use<R>(fn: (instance: T) => Promise<R>, context?: PlinthErrorContext): Promise<R>;
  /**
   * Runs `fn` once on every live instance, each as soon as it is free (no queue timeout: a busy instance
   * is waited for). Instances recycled before their turn, or started after this call, are skipped.
   */
  each<R>(fn: (instance: T) => Promise<R>, context?: PlinthErrorContext): Promise<PromiseSettledResult<R>[]>;
  /** A snapshot of the pool's instances and queue. */
  stats(): PoolStats;
  /** Refuses new and queued work, lets running work finish, then destroys every instance. Idempotent. */
  close(): Promise<void>;
}

interface Waiter<T> {
  resolve: (instance: T) => void;
  reject: (error: unknown) => void;
  context: PlinthErrorContext;
  timer: ReturnType<typeof setTimeout>;
}

/** A claim on one particular instance (from `each`); called with undefined when that instance is gone. */
type Claim<T> = (instance: T | undefined) => void;

/** Starts `min` instances (failing, after destroying what did start, if any cannot) and returns the pool. */
export async function createPool<T extends object>(options: PoolOptions<T>): Promise<Pool<T>> {
  checkOptions('createPool', poolOptionsSchema, options);
  const min = options.min ?? 1;
  const max = options.max ?? Math.max(min, 1);
  const acquireTimeoutMs = options.acquireTimeoutMs ?? 10_000;
  const shouldRecycle = options.shouldRecycle ?? isRecycleError;

  const idle: T[] = [];
  const busy = new Set<T>();
  const waiters: Waiter<T>[] = [];
  const claims = new Map<T, Claim<T>[]>();
  const destroying = new Set<Promise<void>>();
  const drainListeners: (() => void)[] = [];
  let creating = 0;
  let created = 0;
  let recycled = 0;
  let closing: Promise<void> | undefined;

  const live = () => idle.length + busy.size + creating;

  const destroy = (instance: T): void => {
    const pending = claims.get(instance) ?? [];
    claims.delete(instance);
    for (const claim of pending) claim(undefined);
    const done = options
      .destroy(instance)
      .catch((error: unknown) => options.onError?.(error, 'close'))
      .finally(() => destroying.delete(done));
    destroying.add(done);
  };

  const notifyDrain = (): void => {
    if (busy.size > 0 || creating > 0) return;
    for (const listener of drainListeners.splice(0)) listener();
  };

  /** Gives a free instance to whoever waits for it: a claim on it first (it is older), then the queue. */
  const handOut = (instance: T): void => {
    const pending = claims.get(instance);
    const claim = pending?.shift();
    if (pending?.length === 0) claims.delete(instance);
    if (claim !== undefined) {
      busy.add(instance);
      claim(instance);
      return;
    }
    const waiter = waiters.shift();
    if (waiter === undefined) {
      idle.push(instance);
      return;
    }
    clearTimeout(waiter.timer);
    busy.add(instance);
    waiter.resolve(instance);
  };

  const startInstance = (): void => {
    creating += 1;
    created += 1;
    options.create().then(
      (instance) => {
        creating -= 1;
        if (closing) destroy(instance);
        else handOut(instance);
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

  const acquire = (context: PlinthErrorContext): Promise<T> => {
    if (closing) return Promise.reject(closedError(context));
    const instance = idle.pop();
    if (instance !== undefined) {
      busy.add(instance);
      return Promise.resolve(instance);
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve,
        reject,
        context,
        timer: setTimeout(() => {
          const at = waiters.indexOf(waiter);
          if (at >= 0) waiters.splice(at, 1);
          reject(queueTimeoutError(context, acquireTimeoutMs, max));
        }, acquireTimeoutMs),
      };
      waiters.push(waiter);
      grow();
    });
  };

  /** Waits for one particular instance; resolves undefined if it is destroyed first. */
  const claim = (instance: T): Promise<T | undefined> => {
    const at = idle.indexOf(instance);
    if (at >= 0) {
      idle.splice(at, 1);
      busy.add(instance);
      return Promise.resolve(instance);
    }
    return new Promise((resolve) => {
      const pending = claims.get(instance);
      if (pending) pending.push(resolve);
      else claims.set(instance, [resolve]);
    });
  };

  const release = (instance: T, failure: { error: unknown } | undefined): void => {
    busy.delete(instance);
    const broken = failure !== undefined && shouldRecycle(failure.error);
    if (closing || broken) {
      destroy(instance);
      if (broken && !closing) {
        recycled += 1;
        options.onRecycle?.(failure.error);
      }
      grow();
    } else handOut(instance);
    notifyDrain();
  };

  const run = async <R>(instance: T, fn: (instance: T) => Promise<R>): Promise<R> => {
    let result: R;
    try {
      result = await fn(instance);
    } catch (error) {
      release(instance, { error });
      throw error;
    }
    release(instance, undefined);
    return result;
  };

  // Warm up: all of `min` or nothing, so a module that cannot start fails here, not on the first call.
  const warm = await Promise.allSettled(Array.from({ length: min }, () => options.create()));
  created += min;
  const failed = warm.find((result) => result.status === 'rejected');
  for (const result of warm) {
    if (result.status === 'fulfilled')
      (failed ? destroy : (instance: T) => idle.push(instance))(result.value);
  }
  if (failed) {
    await Promise.all(destroying);
    throw createError(failed.reason, options.context ?? {});
  }

  return {
    async use(fn, context = options.context ?? {}) {
      return run(await acquire(context), fn);
    },
    async each<R>(fn: (instance: T) => Promise<R>, context = options.context ?? {}) {
      if (closing) throw closedError(context);
      // One slot per instance, in pool order, so "the first failure" does not depend on timing.
      const slots = await Promise.all(
        [...idle, ...busy].map(async (instance): Promise<PromiseSettledResult<R> | undefined> => {
          const claimed = await claim(instance);
          if (claimed === undefined) return undefined;
          try {
            return { status: 'fulfilled', value: await run(claimed, fn) };
          } catch (reason) {
            return { status: 'rejected', reason };
          }
        }),
      );
      return slots.filter((slot) => slot !== undefined);
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
        for (const [instance, pending] of claims) {
          claims.delete(instance);
          for (const skip of pending) skip(undefined);
        }
        for (const instance of idle.splice(0)) destroy(instance);
        if (busy.size > 0 || creating > 0) await new Promise<void>((resolve) => drainListeners.push(resolve));
        await Promise.all(destroying);
      })();
      return closing;
    },
  };
}
