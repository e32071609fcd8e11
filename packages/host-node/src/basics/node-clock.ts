import { checkOptions } from '@plinth/protocol';
import type { HostClock } from '@plinth/host-kit';
import { nodeClockOptionsSchema } from './basics-options.js';

/** What `createNodeClock` may be told. */
export interface NodeClockOptions {
  /** An IANA time zone such as `Europe/Berlin`. Default: the process's time zone (`TZ`). */
  timeZone?: string | undefined;
  /** Default `Date.now`. */
  now?: (() => number) | undefined;
}

/**
 * The real clock. Without `timeZone` the offset is the system's (`Date#getTimezoneOffset`, sign flipped
 * to minutes east); with one it comes from Intl, so a host can serve each workspace its own zone.
 * An unknown zone is refused (`invalid_options`) at creation rather than on the first guest call.
 */
export function createNodeClock(options: NodeClockOptions = {}): HostClock {
  checkOptions('createNodeClock', nodeClockOptionsSchema, options);
  const now = options.now ?? Date.now;
  const { timeZone } = options;
  if (timeZone === undefined)
    return { now, timeZoneOffsetMinutes: (atMs) => -new Date(atMs).getTimezoneOffset() };
  const format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  return { now, timeZoneOffsetMinutes: (atMs) => offsetOf(format, atMs) };
}

/** Reads `GMT+05:45` (or plain `GMT` for UTC) out of Intl's `longOffset` zone name. */
function offsetOf(format: Intl.DateTimeFormat, atMs: number): number {
  const name = format.formatToParts(atMs).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
  if (match === null) throw new RangeError(`unexpected time zone name ${name}`);
  const [, sign, hours, minutes] = match;
  if (sign === undefined) return 0;
  const offset = Number(hours) * 60 + Number(minutes);
  return sign === '-' ? -offset : offset;
}
