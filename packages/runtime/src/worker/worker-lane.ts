import {
  HOST_FUNCTION_NAMESPACE,
  HOST_FUNCTIONS,
  PlinthError,
  type HostFunctionSpec,
  type PlinthErrorContext,
} from '@plinth/protocol';
import type { HostCallContext } from '@plinth/host-kit';
import {
  createHostCallState,
  hostCallRecord,
  serveHostCall,
  type AnyHostHandler,
} from '@plinth/host-kit/engine';
import { describeCall } from '../call-errors.js';
import { CallGate } from '../lanes/call-gate.js';
import { beginCall, callErrorContext, checkCallLimits, outputTooLargeError } from '../lanes/call-limits.js';
import type { Lane, LaneCallResult, LaneOptions } from '../lanes/lane.js';
import { effectiveLogLevel, guestFunctionEntries, UserCallServer } from '../generic/guest-functions.js';
import {
  LOAD_PHASE,
  MessageKind,
  type BridgeEnd,
  type LaneWorkerData,
  type SerializedRejection,
  type StartMessage,
} from './host-bridge.js';
import { usesPlinthWasi, wasiOutputToLog } from '../lanes/wasi.js';
import { fuelExhaustedError, isMetered } from '../lanes/fuel.js';
import { deathError, rejectionError, startError, timeoutError } from './worker-errors.js';

/** Why a worker stopped without being asked to. */
export interface WorkerDeath {
  reason: 'out_of_memory' | 'crashed' | 'exited';
  message: string;
  cause?: unknown;
}

/** One thread running one plugin instance, as the lane sees it. A terminated thread stays dead. */
export interface GuestThread {
  /** The main thread's end of the bridge. */
  readonly bridge: BridgeEnd;
  readonly alive: boolean;
  /** Stops the thread, even one spinning in an infinite loop. */
  terminate(): Promise<void>;
}

/** What a thread reports: its start-up messages, and (once, never after terminate) a death of its own. */
export interface GuestThreadEvents {
  onStart(message: StartMessage): void;
  onDeath(death: WorkerDeath): void;
}

/** Starts a thread that runs `runGuestWorker` on `data`: Node's worker_threads, or a browser's Web Worker. */
export type StartGuestThread = (data: LaneWorkerData, events: GuestThreadEvents) => GuestThread;

/** Starting a thread and loading its code, before the guest's own instantiation is timed. */
const WORKER_BOOT_MS = 30_000;
const SPECS = HOST_FUNCTIONS as readonly HostFunctionSpec[];
const FUNCTION_NAMES = SPECS.map((spec) => spec.name);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A worker lane, whatever starts its threads: one worker thread per instance, running the guest in-thread
 * there, with host functions served on this thread (sync or async handlers) through a blocking
 * shared-memory bridge. Node's isolated lane and the browser's worker lane are this, with their own threads.
 * Every call has a hard wall-clock limit: on expiry the worker is terminated — even mid infinite loop —
 * and the call rejects with `timeout`. A worker that times out, crashes or exits is replaced by a fresh
 * one for the next call, so the instance then starts with fresh memory: state set by `init` or
 * `set_config` is gone, and the caller decides whether to initialize it again.
 */
export async function openWorkerLane(options: LaneOptions, startThread: StartGuestThread): Promise<Lane> {
  const { limits } = options;
  const handlers = options.bundle as Record<string, AnyHostHandler | undefined>;
  const state = createHostCallState();
  const exports = new Set(WebAssembly.Module.exports(options.module).map((e) => e.name));
  const metered = isMetered(options.module);
  const userEntries = guestFunctionEntries({
    functions: options.functions ?? [],
    log: options.guestLog,
    logLevel: options.logLevel,
  });
  const userCalls = new UserCallServer(userEntries, options.onHandlerError);
  const userFunctions = userEntries.map(({ namespace, name }) => ({ namespace, name }));
  const linked = (options.linked ?? []).map(({ name, module }) => ({ name, module }));
  const gate = new CallGate();
  let worker: GuestThread | undefined;
  /** The running call's context, as user host functions and log lines see it. */
  let runningCall: HostCallContext = { pluginId: '', exportName: '' };
  /** Ends the running call early: its worker timed out or died. */
  let stopCall: ((error: PlinthError) => void) | undefined;
  /** What the running call's errors name: plugin, version and export (never the host-call chain). */
  let runningContext: PlinthErrorContext = {};
  let closed = false;
  /** The guest's linear memory size as its worker reported it at the end of the last call. */
  let lastMemoryBytes: number | undefined;
  const wasiOutput = wasiOutputToLog(options.guestLog, options.logLevel, () => runningCall);

  /** Starts a worker and waits until its instance is ready; instantiation is limited like a call. */
  const spawn = (errorContext: PlinthErrorContext): Promise<GuestThread> =>
    new Promise((resolve, reject) => {
      let ready = false;
      const fail = (error: PlinthError) => {
        clearTimeout(timer);
        void spawned.terminate();
        reject(error);
      };
      let spawned: GuestThread;
      try {
        spawned = startThread(
          {
            module: options.module,
            namespace: HOST_FUNCTION_NAMESPACE,
            functionNames: FUNCTION_NAMES,
            config: { ...options.config },
            allowWasi: options.allowWasi ?? false,
            hostMemoryMaxPages: limits.hostMemoryMaxPages,
            maxVarBytes: limits.maxVarBytes,
            outputMaxBytes: limits.outputMaxBytes,
            userFunctions,
            linked,
            logLevel: effectiveLogLevel({ log: options.guestLog, logLevel: options.logLevel }),
            fuel: metered ? { fuelPerCall: limits.fuelPerCall, fuelPerLoad: limits.fuelPerLoad } : undefined,
            wasi: usesPlinthWasi(options.module) ? { mounts: [...(options.wasi?.mounts ?? [])] } : undefined,
          },
          {
            onStart(message) {
              if (message.type === 'extism_log') {
                const { level, message: text } = message;
                options.guestLog?.({ level, message: text, source: 'extism' }, runningCall);
                return;
              }
              if (message.type === 'wasi_output') return wasiOutput(message.stream, message.line);
              if (message.type === 'loading') {
                clearTimeout(timer);
                timer = setTimeout(
                  () =>
                    fail(startError(`instantiation took longer than ${limits.timeoutMs} ms`, errorContext)),
                  limits.timeoutMs,
                );
                return;
              }
              if (message.type === 'start_failed') {
                const exhaustion = message.error.fuel;
                return fail(
                  exhaustion
                    ? fuelExhaustedError(exhaustion, errorContext)
                    : startError(message.error.message, errorContext),
                );
              }
              ready = true;
              clearTimeout(timer);
              resolve(spawned);
            },
            onDeath(death) {
              if (worker === spawned) worker = undefined;
              if (!ready) fail(startError(death.message, errorContext, death.cause));
              else stopCall?.(deathError(death, runningContext));
            },
          },
        );
      } catch (error) {
        // A thread the platform refuses outright (a worker script of another origin, no shared memory).
        const reason = error instanceof Error ? error.message : String(error);
        reject(startError(`its worker could not be started (${reason})`, errorContext, error));
        return;
      }
      let timer = setTimeout(
        () => fail(startError(`its worker did not start within ${WORKER_BOOT_MS} ms`, errorContext)),
        WORKER_BOOT_MS,
      );
    });

  /** Serves one host request on this thread; the answer goes back as bytes. */
  const serveHost = async (functionIndex: number, payload: Uint8Array): Promise<Uint8Array> => {
    const spec = SPECS[functionIndex];
    if (!spec) throw new Error(`host bridge: no catalogue function number ${functionIndex}`);
    const input = decoder.decode(payload);
    const pendingOrServed = serveHostCall({
      spec,
      handler: handlers[spec.name],
      input,
      state,
      maxHostCallsPerCall: limits.hostCallsPerCall,
      allowAsync: true,
      onHandlerError: options.onHandlerError,
    });
    const served = pendingOrServed instanceof Promise ? await pendingOrServed : pendingOrServed;
    try {
      options.onHostCall?.(hostCallRecord(spec.name, input, served), state.context);
    } catch (error) {
      options.onHandlerError?.(error, spec.name, state.context);
    }
    return typeof served.answer === 'string' ? encoder.encode(served.answer) : served.answer;
  };

  /** Drives one call over the bridge until the worker answers, times out or dies. */
  const exchange = async (
    target: GuestThread,
    exportName: string,
    input: Uint8Array | string,
    errorContext: PlinthErrorContext,
    call: HostCallContext,
  ): Promise<Uint8Array | null> => {
    const deadline = performance.now() + limits.timeoutMs;
    const stopped = new Promise<PlinthError>((resolve) => (stopCall = resolve));
    runningContext = errorContext;
    const expire = () => {
      if (worker === target) worker = undefined;
      void target.terminate();
      stopCall?.(timeoutError(limits.timeoutMs, errorContext));
    };
    /**
     * Sends on the bridge, or fails the call typed when the bridge cannot carry the message (a browser
     * bridge grows only to its maximum). A worker left waiting mid-call for a host answer is replaced.
     */
    const send = (kind: MessageKind, aux: number, payload: Uint8Array, midCall: boolean) => {
      try {
        target.bridge.send(kind, aux, payload);
      } catch (error) {
        if (midCall) {
          if (worker === target) worker = undefined;
          void target.terminate();
        }
        const reason = error instanceof Error ? error.message : String(error);
        throw new PlinthError(
          'out_of_memory',
          `${describeCall(errorContext)} failed: ${reason}${midCall ? '; a fresh instance (with fresh memory) will serve the next call' : ''}`,
          { ...errorContext, limit: 'maxMessageBytes', cause: error },
        );
      }
    };
    // The timer also keeps the process alive while the call runs (idle workers are unref'd).
    const timer = setTimeout(expire, limits.timeoutMs);
    try {
      const { bridge } = target;
      const [nameLength, payload] = callPayload(exportName, input);
      send(MessageKind.call, call.phase === 'load' ? nameLength | LOAD_PHASE : nameLength, payload, false);
      for (;;) {
        const turn = await Promise.race([bridge.waitAsync(deadline - performance.now()), stopped]);
        if (turn === false) expire();
        if (turn !== true) throw await stopped;
        const { kind, aux, payload, fuel, memoryBytes } = bridge.receive();
        if (kind !== MessageKind.hostRequest && kind !== MessageKind.userRequest)
          lastMemoryBytes = memoryBytes;
        if (metered && call.receipt && kind !== MessageKind.hostRequest && kind !== MessageKind.userRequest)
          call.receipt.fuelUsed = fuel;
        if (kind === MessageKind.result) return aux === 1 ? payload : null;
        if (kind === MessageKind.outputTooLarge)
          throw outputTooLargeError(Number(decoder.decode(payload)), limits, errorContext);
        if (kind === MessageKind.rejected) {
          const rejection = JSON.parse(decoder.decode(payload)) as SerializedRejection;
          const exhaustion = rejection.fuel;
          if (exhaustion || rejection.exitCode !== undefined) {
            // The instance stopped mid-call: a fresh one (fresh memory) serves the next call.
            if (worker === target) worker = undefined;
            void target.terminate();
            throw exhaustion
              ? fuelExhaustedError(exhaustion, errorContext)
              : rejectionError(rejection, errorContext, limits);
          }
          // A user host function that failed made the guest trap; its own error says why.
          throw userCalls.takeFailure() ?? rejectionError(rejection, errorContext, limits);
        }
        const answer = await Promise.race([
          kind === MessageKind.userRequest
            ? userCalls.serve(aux, payload, runningCall, runningCall.hostContext)
            : serveHost(aux, payload),
          stopped,
        ]);
        if (!(answer instanceof Uint8Array)) throw answer;
        send(MessageKind.hostAnswer, 0, answer, true);
      }
    } finally {
      clearTimeout(timer);
      stopCall = undefined;
    }
  };

  const run = async (
    exportName: string,
    input: Uint8Array | string,
    context: HostCallContext,
  ): Promise<LaneCallResult> => {
    beginCall({ exportName, context, closed, state, exports });
    const errorContext = callErrorContext(exportName, context);
    runningCall = context;
    if (context.receipt) context.receipt.lane = 'isolated';
    userCalls.takeFailure();
    // A worker recycled after a timeout or crash is replaced here, on the next call.
    const target = worker?.alive ? worker : (worker = await spawn(errorContext));
    const output = await exchange(target, exportName, input, errorContext, context);
    checkCallLimits({ state, outputBytes: output?.length, limits, exportName, context });
    return { output, hostCalls: state.hostCalls };
  };

  const call = async (
    exportName: string,
    input: Uint8Array | string,
    context: HostCallContext,
  ): Promise<LaneCallResult> => {
    const wait = gate.enter();
    if (wait) await wait;
    try {
      return await run(exportName, input, context);
    } finally {
      gate.leave();
    }
  };

  worker = await spawn({});
  return {
    kind: 'isolated',
    call,
    // Decoding here spares no promise step (the call is async throughout); it keeps the interface whole.
    async callDecoded(exportName, input, context, decode) {
      const { output, hostCalls } = await call(exportName, input, context);
      return decode(output, hostCalls);
    },
    hasExport: (name) => exports.has(name),
    memoryBytes: () => lastMemoryBytes,
    async close() {
      if (closed) return;
      closed = true;
      await gate.drained();
      await worker?.terminate();
      worker = undefined;
    },
  };
}

/** A call message: the export name's UTF-8 bytes, then the input. */
function callPayload(exportName: string, input: Uint8Array | string): [number, Uint8Array] {
  const name = encoder.encode(exportName);
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  const payload = new Uint8Array(name.length + bytes.length);
  payload.set(name);
  payload.set(bytes, name.length);
  return [name.length, payload];
}
