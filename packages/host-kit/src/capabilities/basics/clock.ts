import type { BasicsBundle } from '../../bundle/coverage.js';
import { checkOptions } from '@plinth/protocol';

import { clockBundleOptionsSchema } from '../../options/basics-options.js';

/** Where the host's time comes from. */
export interface HostClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * The local offset from UTC at `atMs`, in minutes east of Greenwich (+60 for UTC+01:00; note that
   * `Date#getTimezoneOffset` has the opposite sign). Absent: UTC.
   */
  timeZoneOffsetMinutes?(atMs: number): number;
}

/** The platform clock in the platform's time zone (works in browsers and Node). */
export const systemClock: HostClock = {
  now: () => Date.now(),
  timeZoneOffsetMinutes: (atMs) => -new Date(atMs).getTimezoneOffset(),
};

/** Options of `createClockBundle`. */
export interface ClockBundleOptions {
  /** Default `systemClock`. */
  clock?: HostClock | undefined;
}

/** The latest instant RFC 3339's four-digit year can show (9999-12-31T23:59:59.999Z). */
const MAX_MS = 253_402_300_799_999;
/** Offsets are at most ±23:59. */
const MAX_OFFSET_MINUTES = 23 * 60 + 59;

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/**
 * Local time as RFC 3339 with seconds and a numeric offset, e.g. `2026-12-01T19:21:34+01:00` (never `Z`:
 * Diaryx guests parse the offset). Throws RangeError for instants or offsets it cannot show.
 */
export function formatLocalTime(atMs: number, offsetMinutes = 0): string {
  if (!Number.isFinite(atMs) || atMs < 0 || atMs > MAX_MS)
    throw new RangeError(`time ${String(atMs)} ms is outside 1970–9999`);
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES)
    throw new RangeError(`time zone offset ${String(offsetMinutes)} is not whole minutes within ±23:59`);
  const local = new Date(Math.floor(atMs / 1000) * 1000 + offsetMinutes * 60_000);
  if (local.getUTCFullYear() > 9999) throw new RangeError(`local time at ${atMs} ms is past the year 9999`);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const offset = Math.abs(offsetMinutes);
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`
  );
}

/**
 * `host_get_timestamp` (decimal ms) and `host_get_now` (local RFC 3339), synchronous. A clock answering
 * something unshowable (NaN, before 1970, a bad offset) gets the functions' neutral answers.
 */
export function createClockBundle(
  options: ClockBundleOptions = {},
): BasicsBundle<'host_get_timestamp' | 'host_get_now'> {
  checkOptions('createClockBundle', clockBundleOptionsSchema, options);
  const clock = options.clock ?? systemClock;
  const nowMs = (): number | undefined => {
    const now = clock.now();
    return Number.isFinite(now) && now >= 0 && now <= MAX_MS ? Math.floor(now) : undefined;
  };
  return {
    host_get_timestamp() {
      const now = nowMs();
      return now === undefined ? { failure: 'the host clock is not available' } : String(now);
    },
    host_get_now() {
      const now = nowMs();
      if (now === undefined) return { failure: 'the host clock is not available' };
      const offset = clock.timeZoneOffsetMinutes?.(now) ?? 0;
      try {
        return formatLocalTime(now, offset);
      } catch (error) {
        return { failure: (error as Error).message };
      }
    },
  };
}
