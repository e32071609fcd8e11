import type { CallRecord } from '@plinth/runtime';

/** How many recent calls per plugin the percentiles and the chart are computed over. */
export const RECENT_CALLS_KEPT = 200;

export interface CallSummary {
  /** Every call since the dashboard started, and how many failed. */
  calls: number;
  errors: number;
  /** Over the recent calls; undefined before the first one (fuel: before the first metered one). */
  p50Ms: number | undefined;
  p95Ms: number | undefined;
  p50Fuel: number | undefined;
  p95Fuel: number | undefined;
  /** Durations of the recent calls, oldest first, for a chart. */
  recentMs: number[];
}

interface PluginCalls {
  calls: number;
  errors: number;
  /** A ring of the last RECENT_CALLS_KEPT calls; `next` is where the next one goes. */
  durations: number[];
  fuel: (number | undefined)[];
  next: number;
}

/** Call counts and recent durations per plugin, from the host's call records; memory is bounded per plugin. */
export class CallStats {
  readonly #plugins = new Map<string, PluginCalls>();

  constructor(private readonly kept = RECENT_CALLS_KEPT) {}

  record(record: CallRecord): void {
    let plugin = this.#plugins.get(record.pluginId);
    if (plugin === undefined) {
      plugin = { calls: 0, errors: 0, durations: [], fuel: [], next: 0 };
      this.#plugins.set(record.pluginId, plugin);
    }
    plugin.calls += 1;
    if (record.outcome === 'error') plugin.errors += 1;
    plugin.durations[plugin.next] = record.durationMs;
    plugin.fuel[plugin.next] = record.fuelUsed;
    plugin.next = (plugin.next + 1) % this.kept;
  }

  /** Forgets a plugin (it was uninstalled). */
  forget(pluginId: string): void {
    this.#plugins.delete(pluginId);
  }

  summary(pluginId: string): CallSummary {
    const plugin = this.#plugins.get(pluginId);
    const recentMs = plugin === undefined ? [] : inOrder(plugin.durations, plugin.next);
    const fuel = plugin === undefined ? [] : inOrder(plugin.fuel, plugin.next);
    const ms = percentiles(recentMs);
    const used = percentiles(fuel.filter((value): value is number => value !== undefined));
    return {
      calls: plugin?.calls ?? 0,
      errors: plugin?.errors ?? 0,
      p50Ms: ms.p50,
      p95Ms: ms.p95,
      p50Fuel: used.p50,
      p95Fuel: used.p95,
      recentMs,
    };
  }
}

/** A ring's items oldest first: once full, the oldest sits where the next one goes. */
function inOrder<T>(ring: T[], next: number): T[] {
  return [...ring.slice(next), ...ring.slice(0, next)];
}

function percentiles(values: readonly number[]): { p50: number | undefined; p95: number | undefined } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: nearestRank(sorted, 0.5), p95: nearestRank(sorted, 0.95) };
}

/** The nearest-rank percentile: a value that was really measured, never an interpolation. */
export function nearestRank(sorted: readonly number[], fraction: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)];
}
