import createPlugin, { type Plugin } from '@extism/extism';
import { HOST_FUNCTION_NAMESPACE } from '@plinth/protocol';
import { toCallError } from '../call-errors.js';
import type { HostCallContext } from '../host/host-bundle.js';
import { createHostFunctions } from '../host/host-functions.js';
import { beginCall, checkCallLimits, createCallQueue } from './call-limits.js';
import type { Lane, LaneCallResult, LaneOptions } from './lane.js';

/**
 * The in-thread lane: the guest runs on the calling thread through @extism/extism's foreground plugin.
 * Fastest, for trusted plugins: host functions must be synchronous, and a guest that loops forever blocks
 * the thread (no wall-clock limit exists in-thread; use the isolated lane for anything untrusted).
 */
export async function createInThreadLane(options: LaneOptions): Promise<Lane> {
  const { limits } = options;
  const { functions, state } = createHostFunctions({
    bundle: options.bundle,
    maxHostCallsPerCall: limits.hostCallsPerCall,
    ...(options.onHostCall ? { onHostCall: options.onHostCall } : {}),
    ...(options.onHandlerError ? { onHandlerError: options.onHandlerError } : {}),
  });
  const exports = new Set(WebAssembly.Module.exports(options.module).map((e) => e.name));
  const plugin: Plugin = await createPlugin(options.module, {
    useWasi: options.allowWasi ?? false,
    functions: { [HOST_FUNCTION_NAMESPACE]: functions },
    config: { ...options.config },
    memory: { maxPages: limits.hostMemoryMaxPages, maxVarBytes: limits.maxVarBytes },
  });

  const queue = createCallQueue();
  let closed = false;

  const run = async (
    exportName: string,
    input: Uint8Array | string,
    context: HostCallContext,
  ): Promise<LaneCallResult> => {
    const errorContext = beginCall({ exportName, context, closed, state });
    let output: Uint8Array | null;
    try {
      output = (await plugin.call(exportName, input))?.bytes() ?? null;
    } catch (rejection) {
      // (The foreground plugin resets its blocks at the start of every call, so nothing accumulates.)
      throw toCallError(rejection, errorContext);
    }
    checkCallLimits({ state, outputBytes: output?.length, limits, errorContext });
    return { output, hostCalls: state.hostCalls };
  };

  return {
    kind: 'in-thread',
    call: (exportName, input, context) => queue.enqueue(() => run(exportName, input, context)),
    hasExport: (name) => exports.has(name),
    async close() {
      if (closed) return;
      closed = true;
      await queue.drained();
      await plugin.close();
    },
  };
}
