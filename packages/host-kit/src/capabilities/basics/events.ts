import type { BasicsBundle } from '../../bundle/coverage.js';
import { checkOptions, type JsonValue } from '@plinth/protocol';

import { DEFAULT_BUNDLE_LIMITS } from '../../bundle-limits.js';
import { eventsBundleOptionsSchema } from '../../options/basics-options.js';
import { RateLimiter, type NowMs } from './rate-limiter.js';

/** An event a guest emitted, as the embedding app's bus receives it. */
export interface EmittedEvent {
  pluginId: string;
  pluginVersion?: string | undefined;
  /** The guest's JSON, as sent (by convention `{event_type, payload}`, but any JSON is accepted). */
  payload: JsonValue;
}

/**
 * The largest event `createEventsBundle` passes on when `maxPayloadBytes` is not given: 64 KiB of UTF-8 JSON.
 */
export const DEFAULT_EVENT_PAYLOAD_MAX_BYTES = 64 * 1024;

/** Options of `createEventsBundle`: where events go, and the per-plugin rate and size limits. */
export interface EventsBundleOptions {
  /** Called synchronously inside the host call: queue slow work rather than doing it here. */
  emit: (event: EmittedEvent) => void;
  /** Events per plugin per second (token bucket, one second of burst). Default: the runtime limit, 100. */
  eventsPerSecond?: number | undefined;
  /** Largest event, as UTF-8 JSON bytes. Default 64 KiB. */
  maxPayloadBytes?: number | undefined;
  /** Events the rate limit dropped for a plugin, reported once when its limit frees. */
  onDropped?: ((pluginId: string, dropped: number) => void) | undefined;
  /** The rate limiter's clock. Default `Date.now`. */
  now?: NowMs | undefined;
}

const encoder = new TextEncoder();

/** `host_emit_event`, synchronous (works in both lanes); rate-limited and size-capped per plugin. */
export function createEventsBundle(options: EventsBundleOptions): BasicsBundle<'host_emit_event'> {
  checkOptions('createEventsBundle', eventsBundleOptionsSchema, options);
  const { emit, onDropped } = options;
  const limiter = new RateLimiter({
    ratePerSecond: options.eventsPerSecond ?? DEFAULT_BUNDLE_LIMITS.eventsPerSecond,
    now: options.now,
  });
  const maxBytes = options.maxPayloadBytes ?? DEFAULT_EVENT_PAYLOAD_MAX_BYTES;
  return {
    host_emit_event(payload, context) {
      // Size first: an oversized event must not cost the plugin a token.
      const size = encoder.encode(JSON.stringify(payload)).length;
      if (size > maxBytes)
        return { failure: `event of ${size} bytes is larger than the limit of ${maxBytes} bytes` };
      const take = limiter.take(context.pluginId);
      if (!take.allowed)
        return {
          failure: `rate limit exceeded: at most ${limiter.ratePerSecond} event${limiter.ratePerSecond === 1 ? '' : 's'} per second (eventsPerSecond); event dropped`,
        };
      if (take.droppedBefore > 0) onDropped?.(context.pluginId, take.droppedBefore);
      emit(
        context.pluginVersion === undefined
          ? { pluginId: context.pluginId, payload }
          : { pluginId: context.pluginId, pluginVersion: context.pluginVersion, payload },
      );
      return '';
    },
  };
}
