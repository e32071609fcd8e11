import type { CallRecord } from '@plinth/runtime';
import { describe, expect, it } from 'vitest';
import { CallStats, nearestRank } from './call-stats.js';

const call = (durationMs: number, extra: Partial<CallRecord> = {}): CallRecord => ({
  pluginId: 'acme.a',
  pluginVersion: '1.0.0',
  kind: 'command',
  name: 'ping',
  durationMs,
  outcome: 'ok',
  ...extra,
});

describe('CallStats', () => {
  it('counts calls and errors, and takes nearest-rank percentiles of durations and fuel', () => {
    const stats = new CallStats();
    for (let ms = 1; ms <= 20; ms++) stats.record(call(ms, ms % 5 === 0 ? { outcome: 'error' } : {}));
    stats.record(call(100, { fuelUsed: 7 }));
    expect(stats.summary('acme.a')).toMatchObject({
      calls: 21,
      errors: 4,
      p50Ms: 11,
      p95Ms: 20,
      p50Fuel: 7,
      p95Fuel: 7,
    });
    expect(stats.summary('acme.other')).toEqual({
      calls: 0,
      errors: 0,
      p50Ms: undefined,
      p95Ms: undefined,
      p50Fuel: undefined,
      p95Fuel: undefined,
      recentMs: [],
    });
  });

  it('keeps only the most recent calls for percentiles and the chart, oldest first, but counts them all', () => {
    const stats = new CallStats(3);
    for (const ms of [50, 1, 2, 3, 4]) stats.record(call(ms));
    expect(stats.summary('acme.a')).toMatchObject({ calls: 5, recentMs: [2, 3, 4], p95Ms: 4 });
    stats.forget('acme.a');
    expect(stats.summary('acme.a').calls).toBe(0);
  });

  it('answers a measured value for any fraction', () => {
    expect(nearestRank([], 0.5)).toBeUndefined();
    expect(nearestRank([5], 0)).toBe(5);
    expect(nearestRank([1, 2, 3, 4], 0.5)).toBe(2);
    expect(nearestRank([1, 2, 3, 4], 1)).toBe(4);
  });
});
