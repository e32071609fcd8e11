import { checkOptions, HOST_FUNCTIONS, type HostFunctionSpec } from '@plinth/protocol';
import type { HostBundle, HostCallContext, HostCallRecord, ServedHostCall } from '@plinth/host-kit';
import {
  createHostCallState,
  hostCallRecord,
  serveHostCall,
  type AnyHostHandler,
  type HostCallState,
} from '@plinth/host-kit/engine';

import { hostFunctionsOptionsSchema } from '../options/loading-options.js';
import { blockBytes, type ExtismCallContext } from '../lanes/extism-blocks.js';

const decoder = new TextDecoder();
/** A block as text: a shared buffer (never in rc13's foreground plugin, but cheap to allow) is copied first. */
const decodeText = (bytes: Uint8Array): string =>
  decoder.decode(bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice());

export type { HostCallRecord } from '@plinth/host-kit';
export type { HostCallState } from '@plinth/host-kit/engine';

/** Options of `createHostFunctions`: the bundle that serves the catalogue and the per-call limit. */
export interface HostFunctionsOptions {
  bundle: HostBundle;
  /** The most host calls one guest call may make; past it every host call answers a failure. */
  maxHostCallsPerCall: number;
  /** Hears of every host call once it is served, with what the guest sent and received. */
  onHostCall?: (record: HostCallRecord, context: HostCallContext) => void;
  /** A handler threw: it never reaches the guest, which gets the failure shape instead. */
  onHandlerError?: (error: unknown, functionName: string, context: HostCallContext) => void;
}

type ExtismHostFunction = (callContext: ExtismCallContext, handle: bigint) => bigint;

/**
 * Builds the `extism:host/user` functions for one plugin instance: every catalogue function, each decoding
 * and validating its request, counting calls against the per-call limit, and turning every failure —
 * malformed input, a missing implementation, a handler that throws — into the function's failure shape.
 * Nothing here ever throws into the guest.
 */
export function createHostFunctions(options: HostFunctionsOptions): HostFunctions {
  checkOptions('createHostFunctions', hostFunctionsOptionsSchema, options);
  return buildHostFunctions(options);
}

export interface HostFunctions {
  functions: Record<string, ExtismHostFunction>;
  state: HostCallState;
}

/** `createHostFunctions` for the in-thread lane, whose own options (the bundle included) are checked. */
export function buildHostFunctions(options: HostFunctionsOptions): HostFunctions {
  const state = createHostCallState();
  const functions: Record<string, ExtismHostFunction> = {};
  for (const spec of HOST_FUNCTIONS as readonly HostFunctionSpec[]) {
    const handler = (options.bundle as Record<string, AnyHostHandler | undefined>)[spec.name];
    functions[spec.name] = (callContext, handle) => {
      const bytes = handle === 0n ? null : blockBytes(callContext, handle);
      const input = bytes === null ? '' : decodeText(bytes);
      // allowAsync is false, so the answer is never a promise.
      const served = serveHostCall({
        spec,
        handler,
        input,
        state,
        maxHostCallsPerCall: options.maxHostCallsPerCall,
        allowAsync: false,
        onHandlerError: options.onHandlerError,
      }) as ServedHostCall;
      options.onHostCall?.(hostCallRecord(spec.name, input, served), state.context);
      return callContext.store(served.answer);
    };
  }
  return { functions, state };
}
