import { PlinthError } from '@plinth/protocol';
import type { HostCallContext } from '@plinth/host-kit';
import { EXTISM_KERNEL_NAMESPACE } from '../module/validate-imports.js';
import { recordGuestLog } from '@plinth/host-kit/telemetry';
import { decodeUserRequest, encodeUserAnswer, isBlockStart, STORE_TOKEN_BASE } from './user-call-wire.js';
import {
  createUserCallContext,
  userFunctionError,
  type BlockAccess,
  type UserFunctionEntry,
  type WasmValue,
} from './user-functions.js';

/** Extism's log levels, most verbose first. */
export const EXTISM_LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
/** One of `EXTISM_LOG_LEVELS`: the level of a guest log line. */
export type ExtismLogLevel = (typeof EXTISM_LOG_LEVELS)[number];

/** One line a guest logged through Extism's `log_*` (source `guest`), or one the Extism SDK itself logged. */
export interface ExtismLogLine {
  level: ExtismLogLevel;
  message: string;
  /** `stdout` and `stderr`: a line the guest wrote through Plinth's WASI (`wasi` option). */
  source: 'guest' | 'extism' | 'stdout' | 'stderr';
}

/** Receives each delivered log line with the context of the call that wrote it (`guestLog`). */
export type ExtismLogSink = (line: ExtismLogLine, context: HostCallContext) => void;

/** What a lane needs to serve the app's host functions and the guest's log lines. */
export interface GuestFunctionsOptions {
  functions: readonly UserFunctionEntry[];
  log?: ExtismLogSink | undefined;
  /** The least severe level delivered (default `info`); guests may skip formatting below it. */
  logLevel?: ExtismLogLevel | 'silent' | undefined;
  /** A handler threw: reported here, and the guest's call fails with `host_function_failed`. */
  onHandlerError?: ((error: unknown, functionName: string, context: HostCallContext) => void) | undefined;
}

/**
 * The user host functions plus Plinth's own `log_*` kernel functions (so guest log lines reach the host's
 * logger with their level, never the console), as one list: both lanes bind the same entries.
 */
export function guestFunctionEntries(options: GuestFunctionsOptions): UserFunctionEntry[] {
  const log = options.log;
  // Without a sink the guest is told to log nothing (see `effectiveLogLevel`), and nothing is forwarded.
  if (log === undefined) return [...options.functions];
  const minimum = EXTISM_LOG_LEVELS.indexOf(effectiveLogLevel(options) as ExtismLogLevel);
  const logEntries = EXTISM_LOG_LEVELS.map((level, index): UserFunctionEntry => ({
    namespace: EXTISM_KERNEL_NAMESPACE,
    name: `log_${level}`,
    handler(context, offset) {
      if (minimum === -1 || index < minimum) return;
      const message = context.read(offset ?? 0n)?.text() ?? '';
      log(
        { level, message, source: 'guest' },
        { pluginId: context.pluginId, exportName: context.exportName },
      );
      // This context has no receipt: the line goes to the active span (the registry call's, when a
      // context manager carries it).
      recordGuestLog(undefined, level, message);
    },
  }));
  return [...options.functions, ...logEntries];
}

/** The level the guest sees through `get_log_level`: `silent` when nobody listens. */
export function effectiveLogLevel(
  options: Pick<GuestFunctionsOptions, 'log' | 'logLevel'>,
): ExtismLogLevel | 'silent' {
  return options.log === undefined ? 'silent' : (options.logLevel ?? 'info');
}

/** The error a call fails with when a handler threw (or answered a promise where none can be awaited). */
export function handlerFailure(
  error: unknown,
  entry: UserFunctionEntry,
  context: HostCallContext,
  onHandlerError: GuestFunctionsOptions['onHandlerError'],
): PlinthError {
  onHandlerError?.(error, entry.name, context);
  if (PlinthError.isInstance(error) && error.code === 'host_function_failed') return error;
  const why = error instanceof Error ? error.message : String(error);
  return userFunctionError(`host function "${entry.namespace}" "${entry.name}" failed: ${why}`, context);
}

/**
 * Serves user-function calls that arrive from a guest in another thread (the isolated lane). Remembers the
 * last failure, so the lane can reject the call with it rather than with the guest's trap.
 */
export class UserCallServer {
  #failure: PlinthError | undefined;

  constructor(
    private readonly entries: readonly UserFunctionEntry[],
    private readonly onHandlerError: GuestFunctionsOptions['onHandlerError'],
  ) {}

  /** The failure of the running call's host function, if one failed; cleared by reading it. */
  takeFailure(): PlinthError | undefined {
    const failure = this.#failure;
    this.#failure = undefined;
    return failure;
  }

  async serve(
    index: number,
    payload: Uint8Array,
    context: HostCallContext,
    hostContext: unknown,
  ): Promise<Uint8Array> {
    const entry = this.entries[index];
    if (entry === undefined) throw new Error(`host bridge: no user function number ${index}`);
    const { args, blocks } = decodeUserRequest(payload);
    const stores: Uint8Array[] = [];
    const access: BlockAccess = {
      read: (offset) => blocks.get(BigInt(offset)) ?? null,
      store: (bytes) => STORE_TOKEN_BASE + BigInt(stores.push(bytes.slice()) - 1),
    };
    const userContext = createUserCallContext(access, {
      pluginId: context.pluginId,
      exportName: context.exportName,
      hostContext,
      functionName: entry.name,
    });
    try {
      const result = await entry.handler(userContext, ...args);
      return encodeUserAnswer(stores, result ?? undefined);
    } catch (error) {
      this.#failure = handlerFailure(error, entry, context, this.onHandlerError);
      return encodeUserAnswer([], undefined, true);
    }
  }
}

/** rc13's view of Extism memory, as much of it as the in-thread binding uses. */
export interface ExtismCallContext {
  read(offset: bigint | number): { bytes(): Uint8Array } | null;
  store(data: string | Uint8Array): bigint;
  hostContext<T>(): T;
}

/**
 * Binds the entries as @extism/extism host functions for a guest on this thread: synchronous only (a
 * promise cannot be awaited inside a wasm import here), failures thrown into the guest as PlinthErrors,
 * so the call rejects with them.
 */
export function bindInThread(
  entries: readonly UserFunctionEntry[],
  current: () => HostCallContext,
  onHandlerError: GuestFunctionsOptions['onHandlerError'],
): Record<
  string,
  Record<string, (callContext: ExtismCallContext, ...args: WasmValue[]) => WasmValue | undefined>
> {
  const namespaces: Record<
    string,
    Record<string, (callContext: ExtismCallContext, ...args: WasmValue[]) => WasmValue | undefined>
  > = {};
  for (const entry of entries) {
    (namespaces[entry.namespace] ??= {})[entry.name] = (callContext, ...args) => {
      const context = current();
      const access: BlockAccess = {
        read(offset) {
          if (!isBlockStart(BigInt(offset))) return null;
          try {
            // A copy: the handler may keep it, and the guest's block may change later.
            return callContext.read(offset)?.bytes().slice() ?? null;
          } catch {
            return null;
          }
        },
        store: (bytes) => callContext.store(bytes),
      };
      const userContext = createUserCallContext(access, {
        pluginId: context.pluginId,
        exportName: context.exportName,
        hostContext: callContext.hostContext(),
        functionName: entry.name,
      });
      let result: WasmValue | void | Promise<WasmValue | void>;
      try {
        result = entry.handler(userContext, ...args);
      } catch (error) {
        throw handlerFailure(error, entry, context, onHandlerError);
      }
      if (result instanceof Promise) {
        result.catch(() => undefined);
        throw handlerFailure(
          new Error('it answered a promise; asynchronous host functions need the isolated lane'),
          entry,
          context,
          onHandlerError,
        );
      }
      return result ?? undefined;
    };
  }
  return namespaces;
}
