import { defineOptions, functionOption, objectOption } from '@plinth/protocol';
import { z } from 'zod';
import type { BasicBundleOptions } from '../capabilities/basics/basic-bundle.js';
import type { CancellationBundleOptions, CancellationRegistry } from '../capabilities/basics/cancellation.js';
import type { ClockBundleOptions, HostClock } from '../capabilities/basics/clock.js';
import type { EventsBundleOptions } from '../capabilities/basics/events.js';
import type { GuestLogSink, LogBundleOptions } from '../capabilities/basics/log.js';
import type { NowMs, RateLimiterOptions } from '../capabilities/basics/rate-limiter.js';
import type { RequestFileBundleOptions, RequestFileScope } from '../capabilities/basics/request-file.js';
import type { RuntimeContextBundleOptions } from '../capabilities/basics/runtime-context.js';
import { positiveNumberOption } from './shared-options.js';

/** Option schemas of the basic bundles (log, clock, events, runtime context, request files, cancellation). */

const now = functionOption<NowMs>('a function returning ms since the epoch').optional();
const positiveWhole = z.int().min(1).describe('a positive whole number');

export const rateLimiterOptionsSchema = defineOptions<RateLimiterOptions>()(
  z.strictObject({ ratePerSecond: positiveNumberOption, now }),
);

/** The zod schema `createLogBundle` checks its options with. */
export const logBundleOptionsSchema = defineOptions<LogBundleOptions>()(
  z.strictObject({
    sink: functionOption<GuestLogSink>('a GuestLogSink (a function taking each entry)'),
    ratePerSecond: positiveNumberOption.optional(),
    maxMessageLength: positiveWhole.optional(),
    now,
  }),
);

/** The zod schema `createEventsBundle` checks its options with. */
export const eventsBundleOptionsSchema = defineOptions<EventsBundleOptions>()(
  z.strictObject({
    /** Where each accepted event goes; called synchronously inside the host call. */
    emit: functionOption('a function taking each emitted event'),
    eventsPerSecond: positiveNumberOption.optional(),
    maxPayloadBytes: positiveWhole.optional(),
    /** Hears how many events the rate limit dropped for a plugin, once its limit frees. */
    onDropped: functionOption().optional(),
    now,
  }),
);

const hostClock = objectOption<HostClock>('a HostClock (with now)', ['now']);

/** The zod schema `createClockBundle` checks its options with. */
export const clockBundleOptionsSchema = defineOptions<ClockBundleOptions>()(
  z.strictObject({ clock: hostClock.optional() }),
);

/** The zod schema `createRuntimeContextBundle` checks its options with. */
export const runtimeContextBundleOptionsSchema = defineOptions<RuntimeContextBundleOptions>()(
  z.strictObject({
    /** Answers the context for one call. Default: `{}` for everyone. */
    provider: functionOption('a function (context) => object').optional(),
    redactKeys: z
      .array(z.union([z.string(), z.instanceof(RegExp)]).describe('a key name or a RegExp'))
      .readonly()
      .optional(),
    /** Hears of a provider that threw or answered no JSON object (the guest got `{}`). */
    onError: functionOption().optional(),
  }),
);

/** The zod schema `createRequestFileBundle` checks its options with. */
export const requestFileBundleOptionsSchema = defineOptions<RequestFileBundleOptions>()(
  z.strictObject({
    /** The files of the call a host call belongs to. */
    files: functionOption('a function (context) => files').optional(),
  }),
);

/** The zod schema `createCancellationBundle` checks its options with. */
export const cancellationBundleOptionsSchema = defineOptions<CancellationBundleOptions>()(
  z.strictObject({
    /** Whether the token a guest names is cancelled. */
    isCancelled: functionOption('a function (token, context) => boolean'),
  }),
);

/** The zod schema `createBasicBundle` checks its options with. */
export const basicBundleOptionsSchema = defineOptions<BasicBundleOptions>()(
  z.strictObject({
    log: logBundleOptionsSchema.omit({ now: true }),
    clock: hostClock.optional(),
    events: eventsBundleOptionsSchema.omit({ now: true }),
    runtimeContext: runtimeContextBundleOptionsSchema.optional(),
    requestFiles: objectOption<RequestFileScope>('a RequestFileScope', ['lookup', 'run']),
    cancellation: objectOption<CancellationRegistry>('a CancellationRegistry', [
      'create',
      'cancel',
      'isCancelled',
    ]),
    now,
  }),
);
