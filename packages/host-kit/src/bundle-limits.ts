import { HTTP_TIMEOUT_MS } from '@plinth/protocol';

/**
 * The limits only capability bundles enforce (the engine's own limits are in `@plinth/runtime`, whose
 * `PluginLimits` includes these fields under the same names).
 */
export interface BundleLimits {
  /** Response body size for `host_http_request` (enforced by the HTTP bundle). */
  httpResponseMaxBytes: number;
  /** Default timeout for `host_http_request`; a guest's `timeout_ms` is clamped to 1 s–300 s. */
  httpTimeoutMs: number;
  /** Events a plugin may emit per second (enforced by the events bundle). */
  eventsPerSecond: number;
}

/** The bundle limits used for each field a bundle's options leave out. */
export const DEFAULT_BUNDLE_LIMITS: Readonly<BundleLimits> = Object.freeze({
  httpResponseMaxBytes: 16 * 1024 * 1024,
  httpTimeoutMs: HTTP_TIMEOUT_MS.default,
  eventsPerSecond: 100,
});
