import { DEFAULT_BUNDLE_LIMITS, type BundleLimits } from '@plinth/host-kit';
import { checkOptions, defineOptions, HTTP_TIMEOUT_MS, wholeNumberOption } from '@plinth/protocol';
import { z } from 'zod';

/**
 * Limits one plugin runs under. Every limit hit is a typed error naming the plugin, the export and the
 * limit (`context.limit` is the field name below); the host and other plugins are unaffected.
 */
export interface PluginLimits extends BundleLimits {
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
  /**
   * Instructions a metered guest may run per call (see `fuel` in openPlugin): roughly one fuel per wasm
   * instruction, one per 32 bytes of bulk memory work, 2,048 per page of `memory.grow`. Running out is
   * `fuel_exhausted`; the instance is replaced. Only metered plugins use it.
   */
  fuelPerCall: number;
  /** Fuel for creating an instance (its start function and `_initialize`) and for load calls (`manifest`, `init`). */
  fuelPerLoad: number;
}

const MiB = 1024 * 1024;

/** The limits a plugin runs under for each field its options leave out. */
export const DEFAULT_LIMITS: Readonly<PluginLimits> = Object.freeze({
  timeoutMs: 5_000,
  memoryMaxPages: 256,
  onUnboundedMemory: 'cap',
  outputMaxBytes: 16 * MiB,
  hostMemoryMaxPages: 2_048,
  maxVarBytes: 1 * MiB,
  hostCallsPerCall: 10_000,
  moduleMaxBytes: 32 * MiB,
  ...DEFAULT_BUNDLE_LIMITS,
  fuelPerCall: 100_000_000,
  fuelPerLoad: 200_000_000,
});

const positive = (max: number) => wholeNumberOption(1, max);

/** Every field of PluginLimits, checked: `limits` in any factory's options uses the partial form. */
const limitsShape = {
  timeoutMs: positive(24 * 60 * 60 * 1000),
  memoryMaxPages: positive(65_536),
  onUnboundedMemory: z.enum(['cap', 'refuse']),
  outputMaxBytes: positive(1024 * MiB),
  hostMemoryMaxPages: positive(65_536),
  maxVarBytes: positive(1024 * MiB),
  hostCallsPerCall: positive(30_000),
  moduleMaxBytes: positive(1024 * MiB),
  httpResponseMaxBytes: positive(1024 * MiB),
  httpTimeoutMs: wholeNumberOption(HTTP_TIMEOUT_MS.min, HTTP_TIMEOUT_MS.max),
  eventsPerSecond: positive(1_000_000),
  fuelPerCall: positive(Number.MAX_SAFE_INTEGER),
  fuelPerLoad: positive(Number.MAX_SAFE_INTEGER),
};

/** Complete limits, as a lane receives them. */
export const pluginLimitsSchema = defineOptions<PluginLimits>()(z.strictObject(limitsShape));

/** Overrides of some limits, as factories take them. */
export const limitOverridesSchema = defineOptions<Partial<PluginLimits>>()(
  z.strictObject(limitsShape).partial(),
);

/**
 * Fills in defaults and checks every field. A bad value is a programming error in the embedding app, so
 * it throws an OptionsError (`invalid_options`) naming the field, the value and the allowed range.
 */
export function resolveLimits(overrides: Partial<PluginLimits> = {}): PluginLimits {
  checkOptions('resolveLimits', limitOverridesSchema, overrides);
  return { ...DEFAULT_LIMITS, ...stripUndefined(overrides) };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
