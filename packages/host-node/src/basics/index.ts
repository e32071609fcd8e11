// @plinth/host-node/basics: Node conveniences for the basic host functions (log, clock, events, runtime
// context, request files, cancellation). The bundles themselves live in @plinth/runtime.
export { createBasicBundles, type BasicBundles, type BasicBundlesOptions } from './create-basic-bundles.js';
export {
  createJsonLogSink,
  parseJsonLogLines,
  type JsonLogLine,
  type JsonLogSinkOptions,
} from './json-log-sink.js';
export { createNodeClock, type NodeClockOptions } from './node-clock.js';
export {
  createEventEmitterBus,
  PLUGIN_EVENT,
  type EventEmitterBus,
  type EventEmitterBusOptions,
} from './event-emitter-bus.js';
