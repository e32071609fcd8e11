// The basic host capabilities: log, clock, events, runtime context, request files and cancellation.
// Every handler here is synchronous, so these bundles work in both lanes.
export * from './basics/rate-limiter.js';
export * from './basics/sanitize.js';
export * from './basics/log.js';
export * from './basics/clock.js';
export * from './basics/events.js';
export * from './basics/runtime-context.js';
export * from './basics/request-file.js';
export * from './basics/cancellation.js';
export * from './basics/basic-bundle.js';
