import { checkOptions } from '@plinth/protocol';
import {
  CancellationRegistry,
  createBasicBundle,
  RequestFileScope,
  type EmittedEvent,
  type GuestLogSink,
  type HostBundle,
  type HostClock,
  type RuntimeContextBundleOptions,
} from '@plinth/host-kit';
import {
  createEventEmitterBus,
  type EventEmitterBus,
  type EventEmitterBusOptions,
} from './event-emitter-bus.js';
import { basicBundlesOptionsSchema } from './basics-options.js';
import { createJsonLogSink } from './json-log-sink.js';
import { createNodeClock } from './node-clock.js';

/** What `createBasicBundles` may be told; every part has a Node default. */
export interface BasicBundlesOptions {
  log?: {
    /** Default: JSON lines on `stream`. */
    sink?: GuestLogSink | undefined;
    /** Where the default sink writes. Default `process.stderr`. */
    stream?:
      | {
          /** Takes one JSON line, newline included; the answer is ignored. */
          write(chunk: string): unknown;
        }
      | undefined;
    ratePerSecond?: number | undefined;
    maxMessageLength?: number | undefined;
  };
  /** A clock, or the time zone of the real one. Default: the real clock in the system time zone. */
  clock?: HostClock | { timeZone: string } | undefined;
  events?: EventEmitterBusOptions & {
    /** Replaces the EventEmitter bus. */
    emit?: ((event: EmittedEvent) => void) | undefined;
    eventsPerSecond?: number | undefined;
    maxPayloadBytes?: number | undefined;
    /** Told how many of a plugin's events the rate limit dropped, once its limit frees again. */
    onDropped?: ((pluginId: string, dropped: number) => void) | undefined;
  };
  runtimeContext?: RuntimeContextBundleOptions | undefined;
  /** Default: a new scope, returned. */
  requestFiles?: RequestFileScope | undefined;
  /** Default: a new registry, returned. */
  cancellation?: CancellationRegistry | undefined;
  /** The clock of the rate limiters and log lines. Default `Date.now`. */
  now?: (() => number) | undefined;
}

/** The basic host functions as one bundle, and the parts a caller may need to reach afterwards. */
export interface BasicBundles {
  /** host_log, host_get_timestamp, host_get_now, host_emit_event, host_get_runtime_context, host_request_file, host_is_cancelled. */
  bundle: HostBundle;
  /** Where plugin events go (unless `events.emit` replaced it). */
  events: EventEmitterBus;
  requestFiles: RequestFileScope;
  cancellation: CancellationRegistry;
}

/**
 * The basic host functions for Node, all synchronous (both lanes). Compose with the registry's
 * `host_plugin_command`: `combineBundles(basics.bundle, registry.bundle(), …)`.
 */
export function createBasicBundles(options: BasicBundlesOptions = {}): BasicBundles {
  checkOptions('createBasicBundles', basicBundlesOptionsSchema, options);
  const { log = {}, events = {}, now } = options;
  const sink = log.sink ?? createJsonLogSink({ stream: log.stream ?? process.stderr, now });
  const clock =
    options.clock === undefined || 'timeZone' in options.clock
      ? createNodeClock({ timeZone: options.clock?.timeZone, now })
      : options.clock;
  const bus = createEventEmitterBus({
    emitter: events.emitter,
    eventName: events.eventName,
    onListenerError: events.onListenerError,
  });
  const requestFiles = options.requestFiles ?? new RequestFileScope();
  const cancellation = options.cancellation ?? new CancellationRegistry();
  const bundle = createBasicBundle({
    log: { sink, ratePerSecond: log.ratePerSecond, maxMessageLength: log.maxMessageLength },
    clock,
    events: {
      emit: events.emit ?? bus.emit,
      eventsPerSecond: events.eventsPerSecond,
      maxPayloadBytes: events.maxPayloadBytes,
      onDropped: events.onDropped,
    },
    runtimeContext: options.runtimeContext,
    requestFiles,
    cancellation,
    now,
  });
  return { bundle, events: bus, requestFiles, cancellation };
}
