import type { HostFunctionName } from '@plinth/protocol';
import {
  serveBundleCall,
  type HostBundle,
  type HostCallContext,
  type ServedHostCall,
} from '@plinth/host-kit';

const decoder = new TextDecoder();

/** The calling plugin: an id (calling from `handle_command`), or a whole call context. */
export type WireCaller = string | HostCallContext;

const contextOf = (caller: WireCaller): HostCallContext =>
  typeof caller === 'string' ? { pluginId: caller, exportName: 'handle_command' } : caller;

const inputOf = (request: unknown): string =>
  typeof request === 'string' ? request : JSON.stringify(request);

const textOf = (served: ServedHostCall): string =>
  typeof served.answer === 'string' ? served.answer : decoder.decode(served.answer);

/**
 * Calls a bundle's host function as a guest would, through the runtime's own serving path: the request
 * (text, or a value to stringify) in, the wire answer out as text (raw bytes decoded as UTF-8).
 * Synchronous when the handler is, a promise when it answered one.
 */
export function callWireAny(
  bundle: HostBundle,
  name: HostFunctionName,
  request: unknown,
  caller: WireCaller,
): string | Promise<string> {
  const served = serveBundleCall(bundle, name, inputOf(request), contextOf(caller));
  return served instanceof Promise ? served.then(textOf) : textOf(served);
}

/** `callWireAny`, always as a promise. */
export async function callWire(
  bundle: HostBundle,
  name: HostFunctionName,
  request: unknown,
  caller: WireCaller,
): Promise<string> {
  return callWireAny(bundle, name, request, caller);
}

/**
 * Like `callWire`, for bundles that must answer synchronously (the in-thread lane cannot wait): fails the
 * test when the handler answered a promise. `raw` keeps a bytes answer as bytes.
 */
export function callWireSync(
  bundle: HostBundle,
  name: HostFunctionName,
  request: unknown,
  caller: WireCaller,
): string;
export function callWireSync(
  bundle: HostBundle,
  name: HostFunctionName,
  request: unknown,
  caller: WireCaller,
  raw: true,
): string | Uint8Array;
export function callWireSync(
  bundle: HostBundle,
  name: HostFunctionName,
  request: unknown,
  caller: WireCaller,
  raw = false,
): string | Uint8Array {
  const served = serveBundleCall(bundle, name, inputOf(request), contextOf(caller));
  if (served instanceof Promise) {
    throw new Error(`${name} answered a promise; without ask its handler must be synchronous`);
  }
  return raw ? served.answer : textOf(served);
}
