import { defineOptions, functionOption, objectOption } from '@plinth/protocol';
import {
  eventsBundleOptionsSchema,
  logBundleOptionsSchema,
  runtimeContextBundleOptionsSchema,
  type CancellationRegistry,
  type GuestLogSink,
  type HostClock,
  type RequestFileScope,
} from '@plinth/host-kit';
import { z } from 'zod';
import type { BasicBundlesOptions } from './create-basic-bundles.js';
import type { EventEmitterBusOptions } from './event-emitter-bus.js';
import type { JsonLogSinkOptions } from './json-log-sink.js';
import type { NodeClockOptions } from './node-clock.js';

const now = functionOption<() => number>('a function returning ms since the epoch').optional();
const stream = objectOption<JsonLogSinkOptions['stream']>('a writable stream (with write)', ['write']);

/** Intl knows the zone (it throws RangeError for one it does not). */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const timeZone = z
  .string()
  .refine(isTimeZone, { error: 'an IANA time zone such as "Europe/Berlin"' })
  .describe('an IANA time zone such as "Europe/Berlin"');

export const jsonLogSinkOptionsSchema = defineOptions<JsonLogSinkOptions>()(z.strictObject({ stream, now }));

export const nodeClockOptionsSchema = defineOptions<NodeClockOptions>()(
  z.strictObject({ timeZone: timeZone.optional(), now }),
);

const eventEmitterBusShape = {
  emitter: objectOption<NonNullable<EventEmitterBusOptions['emitter']>>('an EventEmitter', [
    'emit',
    'on',
  ]).optional(),
  eventName: z.string().min(1).optional(),
  onListenerError: functionOption().optional(),
};

export const eventEmitterBusOptionsSchema = defineOptions<EventEmitterBusOptions>()(
  z.strictObject(eventEmitterBusShape),
);

export const basicBundlesOptionsSchema = defineOptions<BasicBundlesOptions>()(
  z.strictObject({
    log: logBundleOptionsSchema
      .omit({ now: true })
      .extend({
        sink: functionOption<GuestLogSink>('a GuestLogSink (a function taking each entry)').optional(),
        stream: stream.optional(),
      })
      .optional(),
    clock: z
      .union([objectOption<HostClock>('a HostClock (with now)', ['now']), z.strictObject({ timeZone })])
      .describe('a HostClock or { timeZone }')
      .optional(),
    events: eventsBundleOptionsSchema
      .omit({ now: true })
      .extend({ ...eventEmitterBusShape, emit: eventsBundleOptionsSchema.shape.emit.optional() })
      .optional(),
    runtimeContext: runtimeContextBundleOptionsSchema.optional(),
    requestFiles: objectOption<RequestFileScope>('a RequestFileScope', ['lookup', 'run']).optional(),
    cancellation: objectOption<CancellationRegistry>('a CancellationRegistry', [
      'create',
      'cancel',
      'isCancelled',
    ]).optional(),
    now,
  }),
);
