import { HOST_FUNCTION_NAMESPACE, isHostFunctionName, PlinthError } from '@plinth/protocol';
import { EXTISM_KERNEL_NAMESPACE, WASI_NAMESPACE } from '../module/validate-imports.js';
import { FUEL_NAMESPACE } from '../module/meter/fuel-abi.js';

/** A wasm value as JavaScript sees it: i32, f32 and f64 as numbers, i64 (Extism offsets) as bigints. */
export type WasmValue = number | bigint;

/** A block of Extism memory, as the Extism SDK's `PluginOutput` reads it. */
export interface BlockView {
  /** The block's bytes. */
  bytes(): Uint8Array;
  /** The block decoded as UTF-8 (invalid bytes become U+FFFD). */
  text(): string;
  /** The block parsed as JSON; throws a SyntaxError when it is not JSON. */
  json(): unknown;
}

/**
 * What a user host function gets besides its arguments: the calling plugin, the per-call host context,
 * and safe access to the Extism memory blocks its arguments name. No offset, however bad, reaches raw
 * memory: `read` answers null for anything that is not a block, and the `read…` helpers throw a typed
 * error, which fails the guest's call (never the host).
 */
export interface UserCallContext {
  readonly pluginId: string;
  readonly exportName: string;
  /** The value given as `hostContext` to the call that is running (Extism's per-call host context). */
  hostContext<T = unknown>(): T;
  /** The block at `offset`, or null when there is none (as the Extism SDK's `read`). */
  read(offset: WasmValue): BlockView | null;
  /** The block's bytes; throws `host_function_failed` when `offset` names no block. */
  readBytes(offset: WasmValue): Uint8Array;
  /** The block decoded as UTF-8; throws `host_function_failed` when `offset` names no block. */
  readString(offset: WasmValue): string;
  /** The block parsed as JSON; throws `host_function_failed` when it is not JSON. */
  readJson<T = unknown>(offset: WasmValue): T;
  /** Stores bytes or text as a new block and answers its offset, for the guest to read. */
  store(data: string | Uint8Array): bigint;
  /** `store` of `JSON.stringify(value)`; throws `host_function_failed` for a value with no JSON form. */
  storeJson(value: unknown): bigint;
}

/**
 * A host function the app provides, as in the Extism SDK: the context, then the wasm arguments; it answers
 * the wasm result (or nothing). Synchronous in both lanes; a promise only in the isolated lane.
 */
export type UserHostFunction = (
  context: UserCallContext,
  ...args: WasmValue[]
) => WasmValue | void | Promise<WasmValue | void>;

/** Host functions by namespace (Extism's default is `extism:host/user`), then by name. */
export type UserFunctions = Readonly<Record<string, Readonly<Record<string, UserHostFunction>>>>;

/** One user function, flattened. */
export interface UserFunctionEntry {
  namespace: string;
  name: string;
  handler: UserHostFunction;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function userFunctionError(message: string, context: { pluginId: string; exportName: string }) {
  return new PlinthError('host_function_failed', message, {
    ...(context.pluginId === '' ? {} : { pluginId: context.pluginId }),
    ...(context.exportName === '' ? {} : { exportName: context.exportName }),
  });
}

/**
 * Flattens and checks the app's host functions: a namespace Plinth owns (the Extism kernel, WASI) or a
 * name of the Plinth catalogue in `extism:host/user` would make an import ambiguous, so it is refused.
 */
export function listUserFunctions(functions: UserFunctions | undefined): UserFunctionEntry[] {
  const entries: UserFunctionEntry[] = [];
  for (const [namespace, names] of Object.entries(functions ?? {})) {
    if (namespace === FUEL_NAMESPACE) {
      throw new PlinthError(
        'invalid_options',
        `functions: the namespace "${namespace}" is reserved for Plinth's fuel metering; user host functions cannot be added to it`,
      );
    }
    if (namespace === EXTISM_KERNEL_NAMESPACE || namespace === WASI_NAMESPACE) {
      throw new PlinthError(
        'invalid_options',
        `functions: the namespace "${namespace}" belongs to ${namespace === WASI_NAMESPACE ? 'WASI' : 'the Extism kernel'}; user host functions cannot be added to it`,
      );
    }
    for (const [name, handler] of Object.entries(names)) {
      if (typeof handler !== 'function') {
        throw new PlinthError(
          'invalid_options',
          `functions: "${namespace}" "${name}" must be a function (got ${handler === null ? 'null' : typeof handler})`,
        );
      }
      if (namespace === HOST_FUNCTION_NAMESPACE && isHostFunctionName(name)) {
        throw new PlinthError(
          'invalid_options',
          `functions: "${name}" is a Plinth catalogue function in "${namespace}"; serve it through a host bundle, or give the user function another name`,
        );
      }
      entries.push({ namespace, name, handler });
    }
  }
  return entries;
}

/** A block view over bytes already read. */
export function blockView(bytes: Uint8Array): BlockView {
  return {
    bytes: () => bytes,
    text: () => decoder.decode(bytes),
    json: () => JSON.parse(decoder.decode(bytes)) as unknown,
  };
}

/** Whether a value can name a block at all: a non-negative integer below 2^64. */
export const isOffset = (value: WasmValue): boolean =>
  typeof value === 'bigint' ? value >= 0n && value < 1n << 64n : Number.isSafeInteger(value) && value >= 0;

/** What a lane gives `createUserCallContext`: how to read and store blocks where the guest runs. */
export interface BlockAccess {
  read(offset: WasmValue): Uint8Array | null;
  store(data: Uint8Array): bigint;
}

/** The context one user-function call sees. */
export function createUserCallContext(
  access: BlockAccess,
  call: { pluginId: string; exportName: string; hostContext: unknown; functionName: string },
): UserCallContext {
  const fail = (message: string): PlinthError =>
    userFunctionError(`host function ${call.functionName}: ${message}`, call);
  const read = (offset: WasmValue): Uint8Array | null => (isOffset(offset) ? access.read(offset) : null);
  const readBytes = (offset: WasmValue): Uint8Array => {
    const bytes = read(offset);
    if (bytes === null) throw fail(`offset ${String(offset)} names no memory block`);
    return bytes;
  };
  const store = (data: string | Uint8Array): bigint => {
    if (typeof data !== 'string' && !(data instanceof Uint8Array))
      throw fail(`store takes a string or a Uint8Array (got ${typeof data})`);
    return access.store(typeof data === 'string' ? encoder.encode(data) : data);
  };
  return {
    pluginId: call.pluginId,
    exportName: call.exportName,
    hostContext: <T>() => call.hostContext as T,
    read: (offset) => {
      const bytes = read(offset);
      return bytes === null ? null : blockView(bytes);
    },
    readBytes,
    readString: (offset) => decoder.decode(readBytes(offset)),
    readJson<T>(offset: WasmValue): T {
      const text = decoder.decode(readBytes(offset));
      try {
        return JSON.parse(text) as T;
      } catch {
        throw fail(`the block at offset ${String(offset)} is not JSON`);
      }
    },
    store,
    storeJson(value) {
      const text = JSON.stringify(value);
      if (text === undefined) throw fail('storeJson takes a JSON value');
      return store(text);
    },
  };
}
