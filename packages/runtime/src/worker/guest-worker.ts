import type { CallContext, ExtismPluginOptions, Plugin } from '@extism/extism';
import type * as ExtismSdk from '@extism/extism';
import { loadExtism } from '../extism-module.js';
import {
  AdaptiveSpin,
  INLINE_BYTES,
  LOAD_PHASE,
  MessageKind,
  serializeRejection,
  type BridgeEnd,
  type LaneWorkerData,
  type StartMessage,
} from './host-bridge.js';
import { applyUserAnswer, encodeUserRequest } from '../generic/user-call-wire.js';
import { createKernelGuards, KERNEL_NAMESPACE } from './kernel-guards.js';
import { FuelAccount, FuelExhausted } from '../lanes/fuel-account.js';
import { blockBytes } from '../lanes/extism-blocks.js';
import type { WasiFactory, WasiSystem } from '../lanes/wasi.js';

/**
 * The guest side of a worker lane, whatever the thread: one plugin instance, run in-thread in the worker
 * (rc13's fast foreground plugin), with every catalogue host function forwarded to the main thread over the
 * bridge. Node's worker (`node/lane-worker.ts`) and the browser's (`browser/lane-worker.ts`) only set up the
 * bridge and the channel for start-up messages, then hand over here. After start-up the worker never
 * returns to its event loop: it blocks on the bridge for the next call, which is all it ever does. The
 * kernel functions that would turn guest blocks into strings here are bounded (kernel-guards.ts): one large
 * string near the worker's heap limit would abort the whole process.
 */
export interface GuestWorkerIo {
  /** The worker's end of the bridge. */
  bridge: BridgeEnd;
  /** Start-up messages and Extism's log lines, to the main thread. */
  post(message: StartMessage): void;
  /** Plinth's WASI (Node's `nodeWasi`); where there is none, a module that needs it fails to start. */
  wasi?: WasiFactory | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/** Starts the instance `data` describes and serves calls on `io.bridge` from then on. */
export async function runGuestWorker(data: LaneWorkerData, io: GuestWorkerIo): Promise<void> {
  const { bridge, post } = io;
  // Polls of the turn word before blocking (see BridgeEnd.waitSync): host answers and back-to-back calls
  // usually arrive sooner than a wake from Atomics.wait, which roughly halves their cost on an idle machine.
  // Each spinner adapts to how answers come (see AdaptiveSpin), down to not spinning on a contended machine.
  const hostAnswerSpin = new AdaptiveSpin({ maxUs: 50, shortWaitUs: 120 });
  const callSpin = new AdaptiveSpin({ maxUs: 50, shortWaitUs: 120 });

  const forwarder =
    (functionIndex: number) =>
    (callContext: CallContext, handle: bigint): bigint => {
      const input = blockBytes(callContext, handle) ?? EMPTY;
      // A large payload may be moved to the main thread; a copy keeps the guest's own block attached (and
      // counted in its block memory) for it to use after the call.
      bridge.send(
        MessageKind.hostRequest,
        functionIndex,
        input.length > INLINE_BYTES ? input.slice() : input,
      );
      bridge.waitSync(hostAnswerSpin);
      // A fresh buffer, which Extism adopts as the answer block without another copy.
      return callContext.store(bridge.receive().payload);
    };

  /** A user host function (or a log_* override) served on the main thread: arguments and named blocks go there. */
  const userForwarder =
    (functionIndex: number) =>
    (callContext: CallContext, ...args: (number | bigint)[]): number | bigint | undefined => {
      const request = encodeUserRequest(args, (offset) => {
        try {
          return callContext.read(offset)?.bytes() ?? null;
        } catch {
          return null;
        }
      });
      bridge.send(MessageKind.userRequest, functionIndex, request);
      bridge.waitSync(hostAnswerSpin);
      return applyUserAnswer(bridge.receive().payload, (bytes) => callContext.store(bytes));
    };

  /** What rc13 logged when an allocation of the running call went over the host memory limit. */
  let hostMemoryFailure: string | undefined;
  /** The instance's own linear memory (set once it exists), reported with every call's end. */
  let guestMemory: WebAssembly.Memory | undefined;
  const memoryBytes = (): number => guestMemory?.buffer.byteLength ?? 0;
  /** Counts a metered guest's fuel (the module imports plinth:fuel); undefined when it is not metered. */
  const fuel = data.fuel ? new FuelAccount(data.fuel) : undefined;
  let wasi: WasiSystem | undefined;

  const runCall = async (plugin: Plugin, payload: Uint8Array, aux: number): Promise<void> => {
    const nameLength = aux & ~LOAD_PHASE;
    const exportName = decoder.decode(payload.subarray(0, nameLength));
    hostMemoryFailure = undefined;
    const input = payload.slice(nameLength);
    let output: Uint8Array | null;
    fuel?.begin((aux & LOAD_PHASE) !== 0 ? 'load' : 'call');
    try {
      output = (await plugin.call(exportName, input))?.bytes() ?? null;
      wasi?.flush();
    } catch (rejection) {
      wasi?.flush();
      const serialized = serializeRejection(rejection);
      // rc13 only logs a failed block allocation; the trap that follows is a symptom. The message says why.
      if (hostMemoryFailure !== undefined)
        serialized.message = `${hostMemoryFailure} (then: ${serialized.message})`;
      const used = rejection instanceof FuelExhausted ? rejection.used : (fuel?.end() ?? 0);
      bridge.send(MessageKind.rejected, 0, encoder.encode(JSON.stringify(serialized)), used, memoryBytes());
      return;
    } finally {
      // Free the call's blocks: rc13 never reuses block indices otherwise.
      await plugin.reset();
    }
    const used = fuel?.end() ?? 0;
    if (output && output.length > data.outputMaxBytes) {
      bridge.send(MessageKind.outputTooLarge, 0, encoder.encode(String(output.length)), used, memoryBytes());
    } else {
      bridge.send(MessageKind.result, output ? 1 : 0, output ?? EMPTY, used, memoryBytes());
    }
  };

  const serve = async (plugin: Plugin): Promise<never> => {
    for (;;) {
      bridge.waitSync(callSpin);
      const message = bridge.receive();
      if (message.kind === MessageKind.call) await runCall(plugin, message.payload, message.aux);
    }
  };

  let createPlugin: typeof ExtismSdk.default;
  try {
    // Loading the SDK is the worker's start-up, not the guest's instantiation (which the lane times).
    ({ default: createPlugin } = await loadExtism<typeof ExtismSdk>());
  } catch (error) {
    post({ type: 'start_failed', error: serializeRejection(error) });
    return;
  }
  post({ type: 'loading' });
  const functions = Object.fromEntries(data.functionNames.map((name, index) => [name, forwarder(index)]));
  const namespaces: NonNullable<ExtismPluginOptions['functions']> = {
    [data.namespace]: functions,
  };
  data.userFunctions.forEach(({ namespace, name }, index) => {
    (namespaces[namespace] ??= {})[name] = userForwarder(index);
  });
  const logToHost =
    (level: 'trace' | 'debug' | 'info' | 'warn' | 'error') =>
    (...parts: unknown[]) => {
      const message = parts.map(String).join(' ');
      if (message.startsWith('memory limit exceeded')) hostMemoryFailure = message;
      post({ type: 'extism_log', level, message });
    };
  const logger = {
    log: logToHost('info'),
    trace: logToHost('trace'),
    debug: logToHost('debug'),
    info: logToHost('info'),
    warn: logToHost('warn'),
    error: logToHost('error'),
  } as unknown as Console;
  const source =
    data.linked.length === 0
      ? data.module
      : {
          wasm: [
            ...data.linked.map(({ name, module }) => ({ name, module })),
            { name: 'main', module: data.module },
          ],
        };
  try {
    // Plinth's WASI: lines go to the main thread, which hands them to the guest log.
    if (data.wasi) {
      if (io.wasi === undefined)
        throw new Error(
          "the module uses Plinth's WASI (folders mounted from the host), which this worker has not",
        );
      wasi = await io.wasi({
        mounts: data.wasi.mounts,
        output: (stream, line) => post({ type: 'wasi_output', stream, line }),
      });
    }
    fuel?.beginLoad();
    const plugin = await createPlugin(source, {
      useWasi: data.allowWasi,
      functions: {
        ...namespaces,
        ...fuel?.imports(),
        ...wasi?.imports(),
        [KERNEL_NAMESPACE]: {
          ...createKernelGuards({ config: data.config, maxVarBytes: data.maxVarBytes }),
          ...namespaces[KERNEL_NAMESPACE],
        },
      },
      config: data.config,
      memory: { maxPages: data.hostMemoryMaxPages, maxVarBytes: data.maxVarBytes },
      logger,
      logLevel: data.logLevel,
    });
    const instance = await plugin.getInstance();
    const exported = instance.exports['memory'];
    if (exported instanceof WebAssembly.Memory) guestMemory = exported;
    fuel?.attach(instance);
    // A reactor's _initialize runs here, on the load budget.
    wasi?.attach(instance);
    post({ type: 'ready' });
    void serve(plugin);
  } catch (error) {
    post({ type: 'start_failed', error: serializeRejection(error) });
  }
}
