import { LOCAL_TIME_PATTERN } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import type { HostCallContext } from '../../bundle/host-bundle.js';
import { createClockBundle, formatLocalTime, systemClock } from './clock.js';

const context: HostCallContext = { pluginId: 'acme.clock', exportName: 'handle_command' };
const AT = Date.UTC(2026, 11, 1, 18, 21, 34, 789); // 2026-12-01T18:21:34.789Z

describe('formatLocalTime', () => {
  it.each([
    [0, '2026-12-01T18:21:34+00:00'],
    [60, '2026-12-01T19:21:34+01:00'],
    [-300, '2026-12-01T13:21:34-05:00'],
    [345, '2026-12-02T00:06:34+05:45'],
    [-570, '2026-12-01T08:51:34-09:30'],
  ])('at offset %i minutes: %s', (offset, expected) => {
    expect(formatLocalTime(AT, offset)).toBe(expected);
    expect(expected).toMatch(LOCAL_TIME_PATTERN);
  });
  it('refuses what RFC 3339 cannot show', () => {
    expect(() => formatLocalTime(Number.NaN)).toThrow('time NaN ms is outside 1970–9999');
    expect(() => formatLocalTime(AT, 1440)).toThrow(
      'time zone offset 1440 is not whole minutes within ±23:59',
    );
    expect(() => formatLocalTime(AT, 0.5)).toThrow('not whole minutes');
  });
});

describe('createClockBundle', () => {
  it('answers decimal milliseconds and local RFC 3339', () => {
    const bundle = createClockBundle({ clock: { now: () => AT, timeZoneOffsetMinutes: () => 60 } });
    expect(bundle.host_get_timestamp!({}, context)).toBe('1796149294789');
    expect(bundle.host_get_now!({}, context)).toBe('2026-12-01T19:21:34+01:00');
  });
  it('uses UTC for a clock without a time zone', () => {
    const bundle = createClockBundle({ clock: { now: () => AT } });
    expect(bundle.host_get_now!({}, context)).toBe('2026-12-01T18:21:34+00:00');
  });
  it('answers a failure (rendered as the neutral answer) for a broken clock', () => {
    const broken = createClockBundle({ clock: { now: () => -1 } });
    expect(broken.host_get_timestamp!({}, context)).toEqual({ failure: 'the host clock is not available' });
    const badZone = createClockBundle({ clock: { now: () => AT, timeZoneOffsetMinutes: () => Number.NaN } });
    expect(badZone.host_get_now!({}, context)).toEqual({
      failure: 'time zone offset NaN is not whole minutes within ±23:59',
    });
  });
  it('the system clock gives the platform offset with the opposite sign of getTimezoneOffset', () => {
    expect(systemClock.timeZoneOffsetMinutes!(AT)).toBe(-new Date(AT).getTimezoneOffset());
  });
});
