import type { ExtismPluginOptions, Plugin, PluginOutput } from '@extism/extism';
import type * as ExtismSdk from '@extism/extism';
import { loadExtism } from '../extism-module.js';
import { checkOptions, HOST_FUNCTION_NAMESPACE, PlinthError } from '@plinth/protocol';
import { toCallError } from '../call-errors.js';
import type { CallReceipt, HostCallContext } from '@plinth/host-kit';
import { bindInThread, effectiveLogLevel, guestFunctionEntries } from '../generic/guest-functions.js';
import { buildHostFunctions } from '../host/host-functions.js';
import { extismLogger, mainModuleManifest } from './extism-plugin-options.js';
import { CallGate } from './call-gate.js';
import { FuelAccount, fuelExhaustedError, fuelExhaustion, isMetered } from './fuel.js';
import { beginCall, callErrorContext, checkCallLimits, hostMemoryError } from './call-limits.js';
import type { Lane, LaneCallResult, LaneOptions, LaneOutputDecoder } from './lane.js';
import { laneOptionsSchema } from '../options/loading-options.js';
import { GuestExit, usesPlinthWasi, wasiOutputToLog, type WasiSystem } from './wasi.js';

/**
 * The in-thread lane: the guest runs on the calling thread through @extism/extism's foreground plugin.
 * Fastest, for trusted plugins: host functions must be synchronous, and a guest that loops forever blocks
 * the thread (no wall-clock limit exists in-thread; use the isolated lane for anything untrusted).
 */
export async function createInThreadLane(options: LaneOptions): Promise<Lane> {
  checkOptions('createInThreadLane', laneOptionsSchema, options);
  const { limits } = options;
  const { functions, state } = buildHostFunctions({
    bundle: options.bundle,
    maxHostCallsPerCall: limits.hostCallsPerCall,
    ...(options.onHostCall ? { onHostCall: options.onHostCall } : {}),
    ...(options.onHandlerError ? { onHandlerError: options.onHandlerError } : {}),
  });
  const exports = new Set(WebAssembly.Module.exports(options.module).map((e) => e.name));
  // Calls run one at a time, so the running call's export, context and decoder can live here: the hot path
  // then needs no async function and no per-call closures.
  let runningExport = '';
  let runningContext: HostCallContext = { pluginId: '', exportName: '' };
  let runningDecode: LaneOutputDecoder<unknown> = laneCallResult;
  let runningReceipt: CallReceipt | undefined;
  /** What rc13 said when an allocation of the running call went over hostMemoryMaxPages. */
  let hostMemoryFailure: string | undefined;
  const guestFunctions = bindInThread(
    guestFunctionEntries({
      functions: options.functions ?? [],
      log: options.guestLog,
      logLevel: options.logLevel,
    }),
    () => runningContext,
    options.onHandlerError,
  ) as unknown as NonNullable<ExtismPluginOptions['functions']>;
  const fuel = isMetered(options.module) ? new FuelAccount(limits) : undefined;
  const wasiOptions = usesPlinthWasi(options.module) ? options.wasi : undefined;
  if (usesPlinthWasi(options.module) && wasiOptions?.create === undefined) {
    throw new PlinthError(
      'invalid_options',
      "createInThreadLane: the module's WASI imports were moved to Plinth's (ownWasi), so give wasi.create (nodeWasi from @plinth/runtime/node)",
    );
  }
  const wasiOutput = wasiOutputToLog(options.guestLog, options.logLevel, () => runningContext);
  /** The running instance's WASI (each instance has its own file table). */
  let wasi: WasiSystem | undefined;
  /** The running instance's own linear memory. */
  let guestMemory: WebAssembly.Memory | undefined;
  const instantiate = async (): Promise<Plugin> => {
    fuel?.beginLoad();
    const system = await wasiOptions?.create?.({ mounts: wasiOptions.mounts, output: wasiOutput });
    let created: Plugin;
    try {
      const { default: createPlugin } = await loadExtism<typeof ExtismSdk>();
      created = await createPlugin(mainModuleManifest(options.module, options.linked), {
        useWasi: options.allowWasi ?? false,
        functions: {
          ...guestFunctions,
          ...fuel?.imports(),
          ...system?.imports(),
          [HOST_FUNCTION_NAMESPACE]: { ...functions, ...guestFunctions[HOST_FUNCTION_NAMESPACE] },
        } as NonNullable<ExtismPluginOptions['functions']>,
        config: { ...options.config },
        memory: { maxPages: limits.hostMemoryMaxPages, maxVarBytes: limits.maxVarBytes },
        logger: extismLogger(
          options.guestLog,
          () => runningContext,
          (message) => (hostMemoryFailure = message),
        ),
        logLevel: effectiveLogLevel({ log: options.guestLog, logLevel: options.logLevel }),
      });
    } catch (error) {
      system?.close();
      const exhaustion = fuelExhaustion(error);
      if (exhaustion) throw fuelExhaustedError(exhaustion, {}, error);
      throw error;
    }
    const instance = await created.getInstance();
    const exported = instance.exports['memory'];
    guestMemory = exported instanceof WebAssembly.Memory ? exported : undefined;
    if (fuel || system) {
      if (fuel) fuel.attach(instance);
      try {
        // A reactor's _initialize runs here, on the load budget; a proc_exit there fails the load.
        system?.attach(instance);
      } catch (error) {
        system?.close();
        await created.close();
        const exhaustion = fuelExhaustion(error);
        throw exhaustion ? fuelExhaustedError(exhaustion, {}, error) : toCallError(error, {});
      }
    }
    wasi?.close();
    wasi = system;
    return created;
  };
  let plugin = await instantiate();
  /** Set when a call ran out of fuel: the instance may be mid-update, so the next call gets a fresh one. */
  let stale = false;
  const gate = new CallGate();
  let closed = false;

  const finish = (result: PluginOutput | null): unknown => {
    try {
      wasi?.flush();
      if (fuel && runningReceipt) runningReceipt.fuelUsed = fuel.end();
      const output = outputBytes(result);
      checkCallLimits({
        state,
        outputBytes: output?.length,
        limits,
        exportName: runningExport,
        context: runningContext,
      });
      return runningDecode(output, state.hostCalls);
    } finally {
      gate.leave();
    }
  };
  const fail = (rejection: unknown): never => {
    try {
      // (The foreground plugin resets its blocks at the start of every call, so nothing accumulates.)
      wasi?.flush();
      const errorContext = callErrorContext(runningExport, runningContext);
      // The guest stopped itself mid-way: its instance may be mid-update too.
      if (rejection instanceof GuestExit) stale = true;
      const exhaustion = fuel && fuelExhaustion(rejection);
      if (exhaustion) {
        stale = true;
        if (runningReceipt) runningReceipt.fuelUsed = exhaustion.used;
        throw fuelExhaustedError(exhaustion, errorContext, rejection);
      }
      if (fuel && runningReceipt) runningReceipt.fuelUsed = fuel.end();
      if (hostMemoryFailure !== undefined)
        throw hostMemoryError(hostMemoryFailure, limits, errorContext, rejection);
      throw toCallError(rejection, errorContext);
    } finally {
      gate.leave();
    }
  };
  const start = <T>(
    exportName: string,
    input: Uint8Array | string,
    context: HostCallContext,
    decode: LaneOutputDecoder<T>,
  ): Promise<T> => {
    try {
      beginCall({ exportName, context, closed, state, exports });
    } catch (error) {
      gate.leave();
      return Promise.reject(error as Error);
    }
    runningExport = exportName;
    runningContext = context;
    hostMemoryFailure = undefined;
    runningDecode = decode;
    runningReceipt = context.receipt;
    if (runningReceipt) runningReceipt.lane = 'in-thread';
    // rc13 adopts a Uint8Array's buffer as the input block, which the guest can write to: copy it.
    const guestInput = typeof input === 'string' ? input : new Uint8Array(input);
    if (stale)
      return renew()
        .then(() => callPlugin(exportName, guestInput, context))
        .then(finish, fail) as Promise<T>;
    return callPlugin(exportName, guestInput, context).then(finish, fail) as Promise<T>;
  };
  const callPlugin = (exportName: string, input: Uint8Array | string, context: HostCallContext) => {
    fuel?.begin(context.phase === 'load' ? 'load' : 'call');
    return plugin.call(exportName, input, context.hostContext);
  };
  /** Replaces an instance that ran out of fuel; its creation is metered on the load budget. */
  const renew = async (): Promise<void> => {
    const old = plugin;
    plugin = await instantiate();
    stale = false;
    await old.close();
  };
  const enter = <T>(
    exportName: string,
    input: Uint8Array | string,
    context: HostCallContext,
    decode: LaneOutputDecoder<T>,
  ): Promise<T> => {
    const wait = gate.enter();
    return wait
      ? wait.then(() => start(exportName, input, context, decode))
      : start(exportName, input, context, decode);
  };

  return {
    kind: 'in-thread',
    call: (exportName, input, context) => enter(exportName, input, context, laneCallResult),
    callDecoded: enter,
    hasExport: (name) => exports.has(name),
    memoryBytes: () => guestMemory?.buffer.byteLength,
    async close() {
      if (closed) return;
      closed = true;
      await gate.drained();
      await plugin.close();
      wasi?.close();
    },
  };
}

function laneCallResult(output: Uint8Array | null, hostCalls: number): LaneCallResult {
  return { output, hostCalls };
}

/**
 * The output's bytes. rc13's `bytes()` caches its view in a WeakMap (a get and a set per call, on the hot
 * path); the output wraps exactly the output block's buffer, so a view of that buffer is the same bytes.
 */
function outputBytes(output: PluginOutput | null): Uint8Array | null {
  return output === null ? null : new Uint8Array(output.arrayBuffer());
}
