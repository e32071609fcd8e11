import { HTTP_TIMEOUT_MS } from '@plinth/protocol';

/**
 * Limits one plugin runs under. Every limit hit is a typed error naming the plugin, the export and the
 * limit (`context.limit` is the field name below); the host and other plugins are unaffected.
 */
export interface PluginLimits {
  /** Wall-clock time per call. Enforced by the isolated lane only; the in-thread lane is for trusted code. */
  timeoutMs: number;
  /** Guest linear memory, in 64 KiB pages: the module's declared maximum is capped to this, or refused. */
  memoryMaxPages: number;
  /** What to do with a module that declares no maximum, or one above `memoryMaxPages`. */
  onUnboundedMemory: 'cap' | 'refuse';
  /** Size of one call's output. */
  outputMaxBytes: number;
  /** Memory Extism may allocate for blocks (inputs, outputs, host answers) during one call, in pages. */
  hostMemoryMaxPages: number;
  /** Size of Extism vars a guest may keep. */
  maxVarBytes: number;
  /**
   * Host-function calls per guest call. Kept well under 32,767: @extism/extism 2.0.0-rc13 addresses at
   * most that many blocks per call, and every host answer takes one.
   */
  hostCallsPerCall: number;
  /** Size of the module itself. */
  moduleMaxBytes: number;
  /** Response body size for `host_http_request` (enforced by the HTTP bundle). */
  httpResponseMaxBytes: number;
  /** Default timeout for `host_http_request`; a guest's `timeout_ms` is clamped to 1 s–300 s. */
  httpTimeoutMs: number;
  /** Events a plugin may emit per second (enforced by the events bundle). */
  eventsPerSecond: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<PluginLimits> = Object.freeze({
  timeoutMs: 5_000,
  memoryMaxPages: 256,
  onUnboundedMemory: 'cap',
  outputMaxBytes: 16 * MiB,
  hostMemoryMaxPages: 2_048,
  maxVarBytes: 1 * MiB,
  hostCallsPerCall: 10_000,
  moduleMaxBytes: 32 * MiB,
  httpResponseMaxBytes: 16 * MiB,
  httpTimeoutMs: HTTP_TIMEOUT_MS.default,
  eventsPerSecond: 100,
});

/** Positive whole-number fields and their allowed maximum. */
const BOUNDS: { [K in Exclude<keyof PluginLimits, 'onUnboundedMemory'>]: number } = {
  timeoutMs: 24 * 60 * 60 * 1000,
  memoryMaxPages: 65_536,
  outputMaxBytes: 1024 * MiB,
  hostMemoryMaxPages: 65_536,
  maxVarBytes: 1024 * MiB,
  hostCallsPerCall: 30_000,
  moduleMaxBytes: 1024 * MiB,
  httpResponseMaxBytes: 1024 * MiB,
  httpTimeoutMs: HTTP_TIMEOUT_MS.max,
  eventsPerSecond: 1_000_000,
};

/**
 * Fills in defaults and checks every field. A bad value is a programming error in the embedding app, so
 * it throws a RangeError naming the field, the value and the allowed range.
 */
export function resolveLimits(overrides: Partial<PluginLimits> = {}): PluginLimits {
  const limits: PluginLimits = { ...DEFAULT_LIMITS, ...stripUndefined(overrides) };
  for (const [field, max] of Object.entries(BOUNDS) as [keyof typeof BOUNDS, number][]) {
    const value = limits[field];
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new RangeError(`limits.${field} must be a whole number from 1 to ${max}; got ${String(value)}`);
    }
  }
  if (limits.httpTimeoutMs < HTTP_TIMEOUT_MS.min) {
    throw new RangeError(
      `limits.httpTimeoutMs must be at least ${HTTP_TIMEOUT_MS.min}; got ${limits.httpTimeoutMs}`,
    );
  }
  if (limits.onUnboundedMemory !== 'cap' && limits.onUnboundedMemory !== 'refuse') {
    throw new RangeError(
      `limits.onUnboundedMemory must be "cap" or "refuse"; got ${String(limits.onUnboundedMemory)}`,
    );
  }
  return limits;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
