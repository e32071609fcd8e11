import { PassThrough } from 'node:stream';
import { createBasicBundles, parseJsonLogLines } from '@plinth/host-node/basics';
import type { EmittedEvent, GuestLogEntry } from '@plinth/host-kit';
import { describeBasicsContract } from '@plinth/testkit/contracts';
import { createMemoryBasics } from '@plinth/testkit/twins';

describeBasicsContract('in-memory twin (@plinth/testkit/twins)', (setup) => {
  const basics = createMemoryBasics({
    clock: setup.clock,
    logRatePerSecond: setup.logRatePerSecond,
    eventsPerSecond: setup.eventsPerSecond,
    runtimeContext: setup.runtimeContext,
    redactKeys: setup.redactKeys,
    requestFiles: setup.requestFiles,
    cancellation: setup.cancellation,
  });
  return { bundle: basics.bundle, logged: () => basics.log.entries, emitted: () => basics.events.events };
});

// The Node adapters for real: JSON lines on a stream, the Intl time zone of the real clock (only its
// `now` is the suite's), and an EventEmitter bus.
describeBasicsContract('Node adapters (@plinth/host-node/basics)', (setup) => {
  const stream = new PassThrough();
  let written = '';
  const basics = createBasicBundles({
    log: { stream, ratePerSecond: setup.logRatePerSecond },
    clock: { timeZone: setup.timeZone.name },
    events: { eventsPerSecond: setup.eventsPerSecond },
    runtimeContext: { provider: setup.runtimeContext, redactKeys: setup.redactKeys },
    requestFiles: setup.requestFiles,
    cancellation: setup.cancellation,
    now: setup.clock.now,
  });
  const emitted: EmittedEvent[] = [];
  basics.events.emitter.on(basics.events.eventName, (event: EmittedEvent) => emitted.push(event));
  return {
    bundle: basics.bundle,
    logged: (): GuestLogEntry[] => {
      written += String(stream.read() ?? '');
      return parseJsonLogLines(written);
    },
    emitted: () => emitted,
  };
});
