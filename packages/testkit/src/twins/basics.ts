import {
  CancellationRegistry,
  createBasicBundle,
  RequestFileScope,
  type EmittedEvent,
  type GuestLogEntry,
  type GuestLogSink,
  type HostBundle,
  type HostCallContext,
  type HostClock,
  type RedactKey,
  type RuntimeContextProvider,
} from '@plinth/host-kit';
import { checkOptions, type JsonValue } from '@plinth/protocol';
import { memoryBasicsOptionsSchema } from '../testkit-options.js';

/** A log sink keeping every entry, for assertions. */
export interface MemoryLogSink {
  sink: GuestLogSink;
  readonly entries: readonly GuestLogEntry[];
  /** The messages logged at `level` (all levels when absent), in order. */
  messages(level?: GuestLogEntry['level']): string[];
  /** Forgets every entry kept so far. */
  clear(): void;
}

/** Makes a MemoryLogSink; entries are copied as they arrive. */
export function createMemoryLogSink(): MemoryLogSink {
  const entries: GuestLogEntry[] = [];
  return {
    sink: (entry) => void entries.push({ ...entry }),
    entries,
    messages: (level) =>
      entries.filter((entry) => level === undefined || entry.level === level).map((entry) => entry.message),
    clear: () => void entries.splice(0),
  };
}

/** A clock that moves only when told to: `set`, `advance`, and a fixed time zone offset. */
export interface ManualClock extends HostClock {
  now(): number;
  timeZoneOffsetMinutes(atMs: number): number;
  /** Sets the time to `ms` (ms since epoch). */
  set(ms: number): void;
  /** Moves the time `ms` milliseconds on. */
  advance(ms: number): void;
  /** Minutes east of UTC, e.g. 60 for +01:00. */
  setOffset(minutes: number): void;
}

/**
 * Makes a ManualClock at `startMs` (ms since epoch, default 0) and `offsetMinutes` east of UTC (default 0).
 */
export function createManualClock(startMs = 0, offsetMinutes = 0): ManualClock {
  let now = startMs;
  let offset = offsetMinutes;
  return {
    now: () => now,
    timeZoneOffsetMinutes: () => offset,
    set: (ms) => void (now = ms),
    advance: (ms) => void (now += ms),
    setOffset: (minutes) => void (offset = minutes),
  };
}

/** An event bus keeping every emitted event, for assertions. */
export interface MemoryEventBus {
  /** The `emit` option of `createEventsBundle`. */
  emit: (event: EmittedEvent) => void;
  readonly events: readonly EmittedEvent[];
  /** The payloads one plugin emitted, in order. */
  payloadsOf(pluginId: string): JsonValue[];
  /** Forgets every event kept so far. */
  clear(): void;
}

/** Makes an empty MemoryEventBus. */
export function createMemoryEventBus(): MemoryEventBus {
  const events: EmittedEvent[] = [];
  return {
    emit: (event) => void events.push(event),
    events,
    payloadsOf: (pluginId) =>
      events.filter((event) => event.pluginId === pluginId).map((event) => event.payload),
    clear: () => void events.splice(0),
  };
}

/** A runtime context provider answering a plain object (or one per plugin id), recording each call. */
export interface StaticRuntimeContext {
  provider: RuntimeContextProvider;
  readonly calls: readonly HostCallContext[];
}

/** Makes a runtime context provider that answers `perPlugin[pluginId]` when given, else `context`. */
export function createStaticRuntimeContext(
  context: Readonly<Record<string, JsonValue>>,
  perPlugin: Readonly<Record<string, Readonly<Record<string, JsonValue>>>> = {},
): StaticRuntimeContext {
  const calls: HostCallContext[] = [];
  return {
    provider: (call) => {
      calls.push(call);
      return Object.hasOwn(perPlugin, call.pluginId) ? (perPlugin[call.pluginId] ?? context) : context;
    },
    calls,
  };
}

/** What `createMemoryBasics` may be told; rate limits default to the runtime's. */
export interface MemoryBasicsOptions {
  /** Default: a manual clock at 0 in UTC. It also drives the rate limiters. */
  clock?: ManualClock | undefined;
  logRatePerSecond?: number | undefined;
  eventsPerSecond?: number | undefined;
  runtimeContext?: RuntimeContextProvider | undefined;
  redactKeys?: readonly RedactKey[] | undefined;
  requestFiles?: RequestFileScope | undefined;
  cancellation?: CancellationRegistry | undefined;
}

/** The in-memory twin of `createBasicBundles` (@plinth/host-node/basics): same bundle, recording services. */
export interface MemoryBasics {
  bundle: HostBundle;
  log: MemoryLogSink;
  events: MemoryEventBus;
  clock: ManualClock;
  requestFiles: RequestFileScope;
  cancellation: CancellationRegistry;
}

/** Makes the basic host functions over a manual clock, a memory log sink and a memory event bus. */
export function createMemoryBasics(options: MemoryBasicsOptions = {}): MemoryBasics {
  checkOptions('createMemoryBasics', memoryBasicsOptionsSchema, options);
  const clock = options.clock ?? createManualClock();
  const log = createMemoryLogSink();
  const events = createMemoryEventBus();
  const requestFiles = options.requestFiles ?? new RequestFileScope();
  const cancellation = options.cancellation ?? new CancellationRegistry();
  const bundle = createBasicBundle({
    log: { sink: log.sink, ratePerSecond: options.logRatePerSecond },
    clock,
    events: { emit: events.emit, eventsPerSecond: options.eventsPerSecond },
    runtimeContext: { provider: options.runtimeContext, redactKeys: options.redactKeys },
    requestFiles,
    cancellation,
    now: clock.now,
  });
  return { bundle, log, events, clock, requestFiles, cancellation };
}
