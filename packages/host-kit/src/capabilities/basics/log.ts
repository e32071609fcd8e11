import type { BasicsBundle } from '../../bundle/coverage.js';
import { checkOptions, LOG_LEVELS, type LogLevel } from '@plinth/protocol';
import type { HostCallContext } from '../../bundle/host-bundle.js';
import { RateLimiter, type NowMs } from './rate-limiter.js';
import { logBundleOptionsSchema } from '../../options/basics-options.js';
import { sanitizeLogText } from './sanitize.js';
import { recordGuestLog } from '../../telemetry/call-trace.js';

/** One line a guest logged, sanitized, as the embedding app's sink receives it. */
export interface GuestLogEntry {
  pluginId: string;
  pluginVersion?: string | undefined;
  level: LogLevel;
  message: string;
  /** Set on the host's own line reporting messages the rate limit dropped. */
  dropped?: number | undefined;
}

/** Where `host_log` lines go, sanitized and rate-limited; called synchronously inside the host call. */
export type GuestLogSink = (entry: GuestLogEntry) => void;

/** `host_log` messages a plugin may send per second when `ratePerSecond` is not given. */
export const DEFAULT_LOG_RATE_PER_SECOND = 100;
/** Characters a `host_log` message keeps (after escaping) when `maxMessageLength` is not given. */
export const DEFAULT_LOG_MESSAGE_MAX_LENGTH = 8192;

/** Options of `createLogBundle`: the sink, and the per-plugin rate and length limits. */
export interface LogBundleOptions {
  sink: GuestLogSink;
  /** Messages per plugin per second (a token bucket with one second of burst). Default 100. */
  ratePerSecond?: number | undefined;
  /** Longer messages are cut (characters, after escaping). Default 8192. */
  maxMessageLength?: number | undefined;
  /** The rate limiter's clock. Default `Date.now`. */
  now?: NowMs | undefined;
}

const LEVELS: ReadonlySet<string> = new Set(LOG_LEVELS);

/** The level a guest's `level` field logs at: one of LOG_LEVELS exactly, anything else is trace. */
export function toLogLevel(level: string): LogLevel {
  return LEVELS.has(level) ? (level as LogLevel) : 'trace';
}

/**
 * `host_log`, synchronous (works in both lanes). Over the rate limit a message is dropped and the guest
 * gets the S failure; the sink hears how many were dropped, once, just before the next accepted message.
 */
export function createLogBundle(options: LogBundleOptions): BasicsBundle<'host_log'> {
  checkOptions('createLogBundle', logBundleOptionsSchema, options);
  const { sink } = options;
  const limiter = new RateLimiter({
    ratePerSecond: options.ratePerSecond ?? DEFAULT_LOG_RATE_PER_SECOND,
    now: options.now,
  });
  const maxLength = options.maxMessageLength ?? DEFAULT_LOG_MESSAGE_MAX_LENGTH;
  const origin = (context: HostCallContext) =>
    context.pluginVersion === undefined
      ? { pluginId: context.pluginId }
      : { pluginId: context.pluginId, pluginVersion: context.pluginVersion };
  return {
    host_log(request, context) {
      const take = limiter.take(context.pluginId);
      if (!take.allowed)
        return {
          failure: `rate limit exceeded: at most ${limiter.ratePerSecond} message${limiter.ratePerSecond === 1 ? '' : 's'} per second; message dropped`,
        };
      if (take.droppedBefore > 0)
        sink({
          ...origin(context),
          level: 'warn',
          message: `${take.droppedBefore} log message${take.droppedBefore === 1 ? '' : 's'} dropped by the rate limit of ${limiter.ratePerSecond} per second`,
          dropped: take.droppedBefore,
        });
      const level = toLogLevel(request.level);
      const message = sanitizeLogText(request.message, maxLength);
      sink({ ...origin(context), level, message });
      recordGuestLog(context, level, message);
      return '';
    },
  };
}
