import { checkOptions } from '@plinth/protocol';
import { rateLimiterOptionsSchema } from '../../options/basics-options.js';

/** Milliseconds since the epoch; injectable so tests can drive time without sleeping. */
export type NowMs = () => number;

/** Options of `RateLimiter`. */
export interface RateLimiterOptions {
  /** Tokens refilled per second; the bucket holds one second's worth (at least one token). */
  ratePerSecond: number;
  now?: NowMs | undefined;
}

/** One take from the bucket: allowed, with the drops since the last allowed take, or refused. */
export type RateLimitTake = { allowed: true; droppedBefore: number } | { allowed: false };

/**
 * A token bucket per key (a plugin id). Refills continuously; a refused take is counted so the owner can
 * report the drops once the limit frees, in one line rather than one per dropped item.
 */
export class RateLimiter {
  readonly ratePerSecond: number;
  readonly #capacity: number;
  readonly #now: NowMs;
  readonly #buckets = new Map<string, { tokens: number; at: number; dropped: number }>();

  constructor(options: RateLimiterOptions) {
    checkOptions('RateLimiter', rateLimiterOptionsSchema, options);
    const { ratePerSecond } = options;
    this.ratePerSecond = ratePerSecond;
    // A rate below 1/s still needs a whole token to ever allow anything.
    this.#capacity = Math.max(1, ratePerSecond);
    this.#now = options.now ?? Date.now;
  }

  /**
   * Takes one token from `key`'s bucket. Allowed, it reports the drops since the last allowed take (and
   * resets that count); refused, it counts one more drop.
   */
  take(key: string): RateLimitTake {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#capacity, at: now, dropped: 0 };
    // A clock that steps backwards must not mint tokens or lock the bucket.
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + (elapsed * this.ratePerSecond) / 1000);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      bucket.dropped += 1;
      return { allowed: false };
    }
    bucket.tokens -= 1;
    const droppedBefore = bucket.dropped;
    bucket.dropped = 0;
    return { allowed: true, droppedBefore };
  }

  /** Drops counted for `key` and not yet reported. */
  pendingDrops(key: string): number {
    return this.#buckets.get(key)?.dropped ?? 0;
  }

  /** Forgets a key (e.g. when its plugin unloads). */
  forget(key: string): void {
    this.#buckets.delete(key);
  }
}
