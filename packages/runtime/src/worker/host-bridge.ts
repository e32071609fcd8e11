import { GuestExit } from '../lanes/guest-exit.js';
import type { WasiMount } from '../lanes/wasi.js';
import { FuelExhausted, type FuelPhase } from '../lanes/fuel-account.js';

/**
 * The protocol between the isolated lane (main thread) and its worker: one SharedArrayBuffer holding a
 * turn word and one message, passed back and forth. postMessage costs ~85 µs per round trip here,
 * Atomics ~15 µs, so calls, results, host requests and host answers all travel through the buffer.
 *
 * The worker blocks in Atomics.wait until it is its turn (it has nothing else to do, and a guest inside a
 * synchronous wasm import cannot yield anyway); the main thread never blocks: it waits with
 * Atomics.waitAsync and may await an async host handler before answering. A payload larger than the
 * buffer goes another way (`LargeMessages`): on Node through a MessagePort, taken synchronously with
 * receiveMessageOnPort, so the buffer never has to grow; where no synchronous port exists (browsers) the
 * buffer is a growable SharedArrayBuffer and grows to fit, up to its maximum.
 *
 * Runtime-neutral: Node's isolated lane and the browser's worker lane both use it.
 */

/** Payload bytes that travel inline in the shared buffer. */
export const INLINE_BYTES = 64 * 1024;

const HEADER_WORDS = 4;
/**
 * The four words, then two float64s: the fuel a metered call used, and the guest's linear memory size in
 * bytes when the call ended (results and rejections).
 */
const FUEL_OFFSET = HEADER_WORDS * 4;
const HEADER_BYTES = FUEL_OFFSET + 16;
const TURN = 0;
const KIND = 1;
const LENGTH = 2;
const AUX = 3;
const BY_PORT = -1;

/** The longest the main thread waits for the worker without reading the turn word again. */
const WAIT_SLICE_MS = 50;

const MAIN_TURN = 0;
const WORKER_TURN = 1;

export const MessageKind = {
  /**
   * main → worker: run an export. aux = byte length of the export name, which prefixes the input, plus
   * LOAD_PHASE when the call belongs to loading (a metered guest then runs on fuelPerLoad).
   */
  call: 1,
  /** main → worker: the answer to the pending host request. */
  hostAnswer: 2,
  /** worker → main: the guest called catalogue function number `aux`; payload = its input. */
  hostRequest: 3,
  /** worker → main: the call finished; aux = 1 when payload is the output, 0 when it set none. */
  result: 4,
  /** worker → main: the output was larger than outputMaxBytes; payload = its size as decimal text. */
  outputTooLarge: 5,
  /** worker → main: the call rejected; payload = a SerializedRejection as JSON. */
  rejected: 6,
  /** worker → main: the guest called user function number `aux`; payload = its arguments and blocks. */
  userRequest: 7,
} as const;
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];

/** Set in a call message's aux for a load-phase call (`manifest`, `init`). */
export const LOAD_PHASE = 0x4000_0000;

export interface BridgeMessage {
  kind: MessageKind;
  aux: number;
  payload: Uint8Array;
  /** Fuel the call used, on a result or rejection from a metered guest (0 otherwise). */
  fuel: number;
  /** The guest's linear memory size in bytes when the call ended (results and rejections; 0 otherwise). */
  memoryBytes: number;
}

// Atomics.waitAsync is in Node 16+ but only in TypeScript's ES2024 lib; the repo targets ES2023.
type WaitAsyncResult =
  { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
const waitAsync = (
  Atomics as unknown as {
    waitAsync?(array: Int32Array, index: number, value: number, timeoutMs: number): WaitAsyncResult;
  }
).waitAsync;
/** How often the main side reads the turn word where Atomics.waitAsync is missing. */
const POLL_MS = 1;

/**
 * Moves payloads larger than the shared buffer: `post` runs on the sending side before the turn is handed
 * over, `take` on the receiving side once it is its turn.
 */
export interface LargeMessages {
  post(payload: Uint8Array): void;
  take(): Uint8Array;
}

// Growable SharedArrayBuffers are in V8 since 11.1 (Node 20, Chrome 111) but only in TypeScript's ES2024 lib.
type GrowableSharedArrayBuffer = SharedArrayBuffer & {
  readonly growable: boolean;
  readonly maxByteLength: number;
  grow(byteLength: number): void;
};
type GrowableSharedArrayBufferConstructor = new (
  byteLength: number,
  options: { maxByteLength: number },
) => GrowableSharedArrayBuffer;

/** A fixed buffer for a bridge whose large payloads go by `LargeMessages` (Node's ports). */
export function createBridgeBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + INLINE_BYTES);
}

/**
 * A buffer that grows to carry payloads of up to `maxPayloadBytes` (for a bridge without `LargeMessages`).
 * It starts at the inline size and never shrinks: reserving the maximum costs address space, not memory.
 */
export function createGrowableBridgeBuffer(maxPayloadBytes: number): SharedArrayBuffer {
  // Named only here: a page that is not cross-origin isolated has no SharedArrayBuffer at all.
  const Growable = SharedArrayBuffer as unknown as GrowableSharedArrayBufferConstructor;
  return new Growable(HEADER_BYTES + INLINE_BYTES, {
    maxByteLength: HEADER_BYTES + Math.max(INLINE_BYTES, maxPayloadBytes),
  });
}

/** One side of the bridge. Each side sends only on its turn, and sending hands the turn over. */
export class BridgeEnd {
  readonly #words: Int32Array;
  readonly #data: Uint8Array;
  readonly #fuel: Float64Array;
  readonly #buffer: GrowableSharedArrayBuffer;
  readonly #large: LargeMessages | undefined;
  readonly #mine: number;
  readonly #theirs: number;

  /** Without `large`, payloads beyond the inline size grow `buffer` (see `createGrowableBridgeBuffer`). */
  constructor(buffer: SharedArrayBuffer, side: 'main' | 'worker', large?: LargeMessages) {
    this.#words = new Int32Array(buffer, 0, HEADER_WORDS);
    // Without a length: on a growable buffer the view tracks its length as it grows.
    this.#data = new Uint8Array(buffer, HEADER_BYTES);
    this.#fuel = new Float64Array(buffer, FUEL_OFFSET, 2);
    this.#buffer = buffer as GrowableSharedArrayBuffer;
    this.#large = large;
    this.#mine = side === 'main' ? MAIN_TURN : WORKER_TURN;
    this.#theirs = side === 'main' ? WORKER_TURN : MAIN_TURN;
  }

  /** Writes a message and hands the turn to the other side. `payload` may be moved when it is large. */
  send(kind: MessageKind, aux: number, payload: Uint8Array, fuel = 0, memoryBytes = 0): void {
    const words = this.#words;
    // Published by the turn's Atomics.store below, like the payload.
    this.#fuel[0] = fuel;
    this.#fuel[1] = memoryBytes;
    if (payload.length <= INLINE_BYTES || this.#large === undefined) {
      if (payload.length > this.#data.length) this.#grow(payload.length);
      this.#data.set(payload);
      Atomics.store(words, LENGTH, payload.length);
    } else {
      // Posted before the turn flips, so it is there when the other side looks for it.
      this.#large.post(payload);
      Atomics.store(words, LENGTH, BY_PORT);
    }
    Atomics.store(words, KIND, kind);
    Atomics.store(words, AUX, aux);
    Atomics.store(words, TURN, this.#theirs);
    Atomics.notify(words, TURN);
  }

  /** Reads the message waiting on this side's turn; the payload is a fresh copy this side owns. */
  receive(): BridgeMessage {
    const words = this.#words;
    const length = Atomics.load(words, LENGTH);
    let payload: Uint8Array;
    if (length === BY_PORT) {
      if (this.#large === undefined)
        throw new Error('host bridge: a large message came without a way to take it');
      payload = this.#large.take();
    } else {
      payload = this.#data.slice(0, length);
    }
    return {
      kind: Atomics.load(words, KIND) as MessageKind,
      aux: Atomics.load(words, AUX),
      payload,
      fuel: this.#fuel[0] ?? 0,
      memoryBytes: this.#fuel[1] ?? 0,
    };
  }

  #grow(payloadBytes: number): void {
    const buffer = this.#buffer;
    const needed = HEADER_BYTES + payloadBytes;
    const most = buffer.growable ? buffer.maxByteLength : buffer.byteLength;
    if (needed > most) {
      throw new RangeError(
        `host bridge: a message of ${payloadBytes} bytes is larger than the bridge carries (${most - HEADER_BYTES} bytes)`,
      );
    }
    // Grown in steps that at least double, so a run of slowly growing payloads grows it a few times only.
    buffer.grow(Math.min(buffer.maxByteLength, Math.max(needed, buffer.byteLength * 2)));
  }

  /**
   * Worker side: blocks until it is this side's turn. Spins first when a `spinner` is given: a host answer
   * or the next call usually comes within tens of µs, and waking from Atomics.wait costs about as much
   * again. The spinner adapts: a spin that had to give up and then waited long (the other side was busy,
   * or not running at all because the machine's cores are taken) halves the next spin, so a contended
   * machine gets its core back; a wait that turned out short doubles it.
   */
  waitSync(spinner?: AdaptiveSpin): void {
    const words = this.#words;
    const mine = this.#mine;
    if (spinner === undefined) {
      Atomics.wait(words, TURN, this.#theirs);
      return;
    }
    const started = performance.now();
    if (spinner.resting) {
      Atomics.wait(words, TURN, this.#theirs);
      spinner.rested((performance.now() - started) * 1000);
      return;
    }
    const until = started + spinner.budgetUs / 1000;
    if (spinner.budgetUs > 0) {
      for (;;) {
        // The clock is read once per 64 polls (a poll costs a few ns, a clock read tens).
        for (let i = 0; i < 64; i++) {
          if (Atomics.load(words, TURN) === mine) {
            spinner.caught((performance.now() - started) * 1000);
            return;
          }
        }
        if (performance.now() >= until) break;
      }
    }
    Atomics.wait(words, TURN, this.#theirs);
    spinner.waited((performance.now() - started) * 1000);
  }

  /** Main side: resolves true when it is this side's turn, false if `timeoutMs` passes first. */
  async waitAsync(timeoutMs: number): Promise<boolean> {
    // Waits in slices, reading the turn word between them: under load (many workers, one waiting main
    // thread) a waitAsync wake-up can go missing, and a single long wait would then sit until the call's
    // deadline although the answer came long before. A lost wake-up now costs at most one slice.
    const deadline = performance.now() + Math.max(0, timeoutMs);
    for (;;) {
      if (Atomics.load(this.#words, TURN) === this.#mine) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      if (waitAsync === undefined) {
        // A browser without Atomics.waitAsync: poll the turn word from the event loop instead.
        await new Promise((resolve) => setTimeout(resolve, Math.min(left, POLL_MS)));
        continue;
      }
      const waiting = waitAsync(this.#words, TURN, this.#theirs, Math.min(left, WAIT_SLICE_MS));
      if (waiting.async) await waiting.value;
    }
  }
}

/**
 * How long the worker spins before it blocks, adapted to how the other side answers. A pass of the
 * ping-pong needs one thread at a time, so spinning pays only while a core is free: on an idle machine an
 * answer comes within tens of µs and a spin catches it without the wake-up cost of Atomics.wait; on a
 * machine whose cores are taken, the spinning worker holds a core the main thread needs. Within spinning,
 * an answer caught nudges the budget up; a spin that gave up and then waited a short time doubles it; one
 * that waited long halves it.
 *
 * Timing one wait cannot tell a free core from a shared one: when the two threads share a core, the
 * answer comes right after the spin gives up *because* it gave up, which looks like "spin longer". So the
 * spinner measures what it is for — how long the worker waits for its answer — in windows, with spinning
 * and without (blocking at once), and keeps the mode whose waits were shorter, trying the other mode again
 * every few windows so it follows the machine's load. Waits of over a millisecond (the other side had
 * nothing to send) say nothing about cores and are not counted.
 */
export class AdaptiveSpin {
  /** Microseconds to spin before blocking, now. */
  budgetUs: number;
  readonly #maxUs: number;
  readonly #shortWaitUs: number;
  /** Mean counted wait in the last window of each mode (µs); undefined until measured. */
  readonly #meanUs: { spin: number | undefined; block: number | undefined } = {
    spin: undefined,
    block: undefined,
  };
  #mode: 'spin' | 'block' = 'spin';
  #windowWaits = 0;
  #windowUs = 0;
  #windowsInMode = 0;
  /** Windows the better mode keeps before the other is probed: doubles each time a probe loses. */
  #probeEvery = SPIN_PROBE_WINDOWS_MIN;
  #probing = false;

  constructor(options: { maxUs: number; shortWaitUs: number }) {
    this.#maxUs = options.maxUs;
    this.#shortWaitUs = options.shortWaitUs;
    this.budgetUs = options.maxUs;
  }

  /** True while waits block at once (the measured better mode, or a probe of it). */
  get resting(): boolean {
    return this.#mode === 'block';
  }

  /** A spin caught the answer `us` after the wait began. */
  caught(us: number): void {
    this.budgetUs = Math.min(this.#maxUs, this.budgetUs + this.#maxUs / 8);
    this.#count(us);
  }

  /** After a spin gave up (or none was made): from the wait's start to the wake-up took `us`. */
  waited(us: number): void {
    if (us < this.#shortWaitUs)
      this.budgetUs = Math.min(this.#maxUs, Math.max(this.budgetUs * 2, this.#maxUs / 8));
    else this.budgetUs = this.budgetUs < this.#maxUs / 16 ? 0 : this.budgetUs / 2;
    this.#count(us);
  }

  /** After a wait made without spinning, which took `us`. */
  rested(us: number): void {
    this.#count(us);
  }

  #count(us: number): void {
    if (us >= SPIN_COUNTED_WAIT_US) return;
    this.#windowWaits += 1;
    this.#windowUs += us;
    if (this.#windowWaits < SPIN_WINDOW) return;
    this.#meanUs[this.#mode] = this.#windowUs / this.#windowWaits;
    this.#windowWaits = 0;
    this.#windowUs = 0;
    this.#windowsInMode += 1;
    const { spin, block } = this.#meanUs;
    const other = this.#mode === 'spin' ? 'block' : 'spin';
    const better = spin === undefined || block === undefined ? other : spin <= block ? 'spin' : 'block';
    if (this.#probing) {
      // A probe that lost makes the next one rarer; one that won switches, and probes come often again.
      this.#probing = false;
      this.#probeEvery =
        better === this.#mode
          ? SPIN_PROBE_WINDOWS_MIN
          : Math.min(SPIN_PROBE_WINDOWS_MAX, this.#probeEvery * 2);
    } else if (better === this.#mode && this.#windowsInMode >= this.#probeEvery) {
      this.#probing = true;
    }
    const next = this.#probing ? other : better;
    if (next !== this.#mode) {
      this.#mode = next;
      this.#windowsInMode = 0;
      if (next === 'spin') this.budgetUs = this.#maxUs;
    }
  }
}

/** Counted waits per measuring window. */
const SPIN_WINDOW = 256;
/** Windows the better mode keeps before the other is measured again: at first, and at most. */
const SPIN_PROBE_WINDOWS_MIN = 8;
const SPIN_PROBE_WINDOWS_MAX = 128;
/** Waits this long or longer (the other side had nothing to send) are not counted. */
const SPIN_COUNTED_WAIT_US = 1_000;

/** What the worker needs to run one instance (its thread adds the bridge's buffer and channel). */
export interface LaneWorkerData {
  module: WebAssembly.Module;
  namespace: string;
  /** Catalogue function names, in the order a host request's `aux` refers to. */
  functionNames: readonly string[];
  config: Record<string, string>;
  allowWasi: boolean;
  hostMemoryMaxPages: number;
  maxVarBytes: number;
  /** Checked in the worker so an oversized output is never copied to the main thread. */
  outputMaxBytes: number;
  /** User host functions and Plinth's log_* overrides, in the order a user request's `aux` refers to. */
  userFunctions: readonly { namespace: string; name: string }[];
  /** Modules the plugin's module imports from, by name. */
  linked: readonly { name: string; module: WebAssembly.Module }[];
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Budgets for a metered module (absent when the module is not metered). */
  fuel: { fuelPerCall: number; fuelPerLoad: number } | undefined;
  /** Plinth's WASI for a module whose WASI imports were moved to `plinth:wasi` (absent otherwise). */
  wasi: { mounts: readonly WasiMount[] } | undefined;
}

/**
 * Worker → main by postMessage while the worker starts: `loading` once its code is loaded (thread start-up
 * is not the guest's time), then whether the instance started.
 */
export type StartMessage =
  | { type: 'loading' }
  | { type: 'ready' }
  | { type: 'start_failed'; error: SerializedRejection }
  /** A message the Extism SDK logged in the worker (any time, not only at start). */
  | { type: 'extism_log'; level: 'trace' | 'debug' | 'info' | 'warn' | 'error'; message: string }
  /** A line the guest wrote to stdout or stderr through Plinth's WASI. */
  | { type: 'wasi_output'; stream: 'stdout' | 'stderr'; line: string };

/** A rejection as the worker saw it, rebuilt as an Error of the same kind on the main thread. */
export interface SerializedRejection {
  kind: 'runtime_error' | 'range_error' | 'error';
  message: string;
  /** Present when the guest was stopped for running out of fuel. */
  fuel?: { phase: FuelPhase; budget: number; used: number };
  /** Present when the guest ended itself with WASI's proc_exit. */
  exitCode?: number;
}

export function serializeRejection(rejection: unknown): SerializedRejection {
  const message =
    rejection instanceof Error
      ? rejection.message
      : String((rejection as { message?: unknown } | null)?.message ?? rejection);
  const kind =
    rejection instanceof WebAssembly.RuntimeError
      ? 'runtime_error'
      : rejection instanceof RangeError
        ? 'range_error'
        : 'error';
  if (rejection instanceof FuelExhausted) {
    const { phase, budget, used } = rejection;
    return { kind, message, fuel: { phase, budget, used } };
  }
  if (rejection instanceof GuestExit) return { kind, message, exitCode: rejection.exitCode };
  return { kind, message };
}

export function deserializeRejection(error: SerializedRejection): Error {
  if (error.exitCode !== undefined) return new GuestExit(error.exitCode);
  if (error.kind === 'runtime_error') return new WebAssembly.RuntimeError(error.message);
  if (error.kind === 'range_error') return new RangeError(error.message);
  return new Error(error.message);
}
