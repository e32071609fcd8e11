import { EventEmitter } from 'node:events';
import { checkOptions } from '@plinth/protocol';
import type { EmittedEvent } from '@plinth/host-kit';
import { eventEmitterBusOptionsSchema } from './basics-options.js';

/** The default EventEmitter event name plugin events are emitted under. */
export const PLUGIN_EVENT = 'plugin_event';

/** What `createEventEmitterBus` may be told. */
export interface EventEmitterBusOptions {
  /** Default: a new EventEmitter. */
  emitter?: EventEmitter | undefined;
  /** Default `plugin_event`. */
  eventName?: string | undefined;
  /**
   * A listener threw. Without this the error propagates and the guest gets an internal error; with it
   * the guest's emit still succeeds (the event was dispatched) and the app hears about the listener.
   */
  onListenerError?: ((error: unknown, event: EmittedEvent) => void) | undefined;
}

/** Plugin events on a Node EventEmitter: listen with `emitter.on(eventName, …)`. */
export interface EventEmitterBus {
  emitter: EventEmitter;
  eventName: string;
  /** The `emit` option of `createEventsBundle`. */
  emit: (event: EmittedEvent) => void;
}

/** Plugin events onto a Node EventEmitter: `bus.emitter.on('plugin_event', (event) => …)`. */
export function createEventEmitterBus(options: EventEmitterBusOptions = {}): EventEmitterBus {
  checkOptions('createEventEmitterBus', eventEmitterBusOptionsSchema, options);
  const emitter = options.emitter ?? new EventEmitter();
  const eventName = options.eventName ?? PLUGIN_EVENT;
  const { onListenerError } = options;
  return {
    emitter,
    eventName,
    emit(event) {
      try {
        emitter.emit(eventName, event);
      } catch (error) {
        if (onListenerError === undefined) throw error;
        onListenerError(error, event);
      }
    },
  };
}
