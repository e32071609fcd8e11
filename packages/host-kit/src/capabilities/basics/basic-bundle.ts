import { checkOptions } from '@plinth/protocol';
import type { CapabilityBundle } from '../../bundle/coverage.js';
import { basicBundleOptionsSchema } from '../../options/basics-options.js';
import { createCancellationBundle, type CancellationRegistry } from './cancellation.js';
import { createClockBundle, type HostClock } from './clock.js';
import { createEventsBundle, type EventsBundleOptions } from './events.js';
import { createLogBundle, type LogBundleOptions } from './log.js';
import type { NowMs } from './rate-limiter.js';
import { createRequestFileBundle, type RequestFileScope } from './request-file.js';
import { createRuntimeContextBundle, type RuntimeContextBundleOptions } from './runtime-context.js';

/** Options of `createBasicBundle`: the services behind each basic host function. */
export interface BasicBundleOptions {
  log: Omit<LogBundleOptions, 'now'>;
  clock?: HostClock | undefined;
  events: Omit<EventsBundleOptions, 'now'>;
  runtimeContext?: RuntimeContextBundleOptions | undefined;
  requestFiles: RequestFileScope;
  cancellation: CancellationRegistry;
  /** The rate limiters' clock. Default `Date.now`. */
  now?: NowMs | undefined;
}

/**
 * Every basic host function in one bundle — log, timestamp and local time, events, runtime context,
 * request files, cancellation — over the services given. Synchronous, so it works in both lanes.
 */
export function createBasicBundle(options: BasicBundleOptions): CapabilityBundle<'basics'> {
  checkOptions('createBasicBundle', basicBundleOptionsSchema, options);
  const { now, requestFiles, cancellation } = options;
  // Spread, not combineBundles: the parts' types are disjoint and together must make the whole capability.
  return {
    ...createLogBundle({ ...options.log, now }),
    ...createClockBundle({ clock: options.clock }),
    ...createEventsBundle({ ...options.events, now }),
    ...createRuntimeContextBundle(options.runtimeContext),
    ...createRequestFileBundle({ files: requestFiles.lookup }),
    ...createCancellationBundle({ isCancelled: cancellation.isCancelled }),
  };
}
