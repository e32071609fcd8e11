import type { HostBundle, HostCallContext } from '@plinth/host-kit';
import type { HostCallRecord } from '../host/host-functions.js';
import type { ExtismLogLevel, ExtismLogSink } from '../generic/guest-functions.js';
import type { UserFunctionEntry } from '../generic/user-functions.js';
import type { PluginLimits } from '../limits.js';
import type { WasiFactory, WasiMount } from './wasi.js';

/** Where a plugin instance runs. Both lanes have the same API. */
export type LaneKind = 'in-thread' | 'isolated';

/** What one guest call produced. */
export interface LaneCallResult {
  /** The export's output, or null when it set none. */
  output: Uint8Array | null;
  /** Host-function calls the guest made during the call. */
  hostCalls: number;
}

/**
 * Turns a call's output into what the caller wants (a CommandResponse, say). It runs synchronously inside
 * the lane once the call has passed its limits; what it throws rejects the call.
 */
export type LaneOutputDecoder<T> = (output: Uint8Array | null, hostCalls: number) => T;

/**
 * One running instance of a compiled, checked module. Calls are strictly serialized (an instance is not
 * reentrant); a lane queues them. Every failure rejects with a PlinthError naming plugin, export and, for
 * limits, the limit — never with a raw engine error.
 */
export interface Lane {
  readonly kind: LaneKind;
  /** A Uint8Array input stays the caller's: the guest gets a copy, so it can never write to it. */
  call(exportName: string, input: Uint8Array | string, context: HostCallContext): Promise<LaneCallResult>;
  /**
   * `call` with its output decoded before the promise settles, sparing the caller a promise step of its own
   * (the protocol layer's hot path). Optional, so wrappers and test lanes need not forward it: callers fall
   * back to `call(…).then(…)`.
   */
  callDecoded?<T>(
    exportName: string,
    input: Uint8Array | string,
    context: HostCallContext,
    decode: LaneOutputDecoder<T>,
  ): Promise<T>;
  /** Whether the module exports `name`; calling any other name rejects `not_handled`. */
  hasExport(name: string): boolean;
  /**
   * The guest's linear memory size in bytes: now (in-thread), or when its last call ended (isolated);
   * undefined before that, or when the module has no memory.
   */
  memoryBytes?(): number | undefined;
  /** Waits for queued calls, then frees the instance; later calls reject `closed`. Safe to call twice. */
  close(): Promise<void>;
}

/** What a `LaneFactory` needs to start one instance of a module. */
export interface LaneOptions {
  /** A module already inspected, validated and memory-capped by the loader. */
  module: WebAssembly.Module;
  bundle: HostBundle;
  limits: PluginLimits;
  /** Extism config (read by guests with `config_get`). */
  config?: Readonly<Record<string, string>>;
  /** Whether the guest may use WASI (preview 1). */
  allowWasi?: boolean;
  /** Hears of every catalogue host call once it is served. */
  onHostCall?: (record: HostCallRecord, context: HostCallContext) => void;
  /**
   * A host function threw. A catalogue one answers the guest its failure shape; one of `functions` fails the
   * call with `host_function_failed`. Either way this hears of the error.
   */
  onHandlerError?: (error: unknown, functionName: string, context: HostCallContext) => void;
  /** The app's own host functions, in any namespace (checked by `listUserFunctions`). */
  functions?: readonly UserFunctionEntry[];
  /** Modules the plugin's module imports from, by the name it imports them under (Extism linking). */
  linked?: readonly LinkedModule[];
  /** Where the guest's `log_*` lines (and the Extism SDK's own messages) go; nothing reaches the console. */
  guestLog?: ExtismLogSink;
  /** The least severe guest log level delivered. Default `info`. */
  logLevel?: ExtismLogLevel | 'silent';
  /**
   * Plinth's WASI, for a module whose WASI imports the loader moved to `plinth:wasi` (`ownWasi`): the
   * folders to mount, and (in-thread) the platform's factory — the isolated lane uses Node's in its worker.
   */
  wasi?: { mounts: readonly WasiMount[]; create?: WasiFactory };
}

/** A module linked into a plugin under a name (an entry of an Extism manifest's `wasm` list). */
export interface LinkedModule {
  name: string;
  module: WebAssembly.Module;
}

/**
 * Starts an instance in a lane: `createInThreadLane`, or `createIsolatedLane` from `@plinth/runtime/node`.
 */
export type LaneFactory = (options: LaneOptions) => Promise<Lane>;
