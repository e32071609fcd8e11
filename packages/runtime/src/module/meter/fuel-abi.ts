/**
 * What a metered module and its host agree on. The module imports `refill` from this namespace and
 * exports its counter under this name; guests may use neither (the loader refuses them).
 */
export const FUEL_NAMESPACE = 'plinth:fuel';
export const FUEL_REFILL_IMPORT = 'refill';
export const FUEL_COUNTER_EXPORT = 'plinth:fuel';
/** Bumped whenever the rewriting changes what a module costs: part of the metered module's cache key. */
export const METERING_VERSION = 1;
