/**
 * The raw @extism/extism 2.0.0-rc13 baselines every bench compares against, set up once so no two benches
 * disagree about what "raw" is: a plain `createPlugin` of the same module, no limits, and host functions
 * that give the guest the same answers as the lanes' BENCH_BUNDLE.
 */
import { readFileSync } from 'node:fs';
import createPlugin, { type CallContext, type Plugin } from '@extism/extism';
import { HOST_FUNCTION_NAMESPACE } from '@plinth/protocol';

export const GOLDEN_C_WASM = new Uint8Array(
  readFileSync(new URL('../../guests/corpus/golden/c-protocol/plugin.wasm', import.meta.url)),
);
export const PING = JSON.stringify({ command: 'ping', params: null });
export const GREET = JSON.stringify({ command: 'greet', params: { name: 'Zoë' } });
export const HANDLE_COMMAND_CONTEXT = { pluginId: 'plinth-golden.c', exportName: 'handle_command' };

/** The golden C guest imports only these two host functions. */
export const BENCH_BUNDLE = { host_log: () => '', host_get_timestamp: () => '1700000000000' };
const rawFunctions = {
  [HOST_FUNCTION_NAMESPACE]: {
    host_log: (callContext: CallContext) => callContext.store(''),
    host_get_timestamp: (callContext: CallContext) => callContext.store('1700000000000'),
  },
};

export interface RawCall {
  call: (input: string) => Promise<unknown>;
  close: () => Promise<void>;
}

/**
 * In-thread (foreground) raw call, no reset(): rc13's foreground `call()` resets its blocks itself at the
 * start of every call, so it runs indefinitely without one, and the in-thread lane calls none either.
 */
export async function openRawInThread(module: WebAssembly.Module): Promise<RawCall> {
  const plugin: Plugin = await createPlugin(module, { useWasi: false, functions: rawFunctions });
  return { call: (input) => plugin.call('handle_command', input), close: () => plugin.close() };
}

/**
 * Worker (`runInWorker`) raw call + reset(): rc13's background `call()` never resets its blocks, so without
 * reset() it runs out of block indices after ~32,767 calls. The isolated lane's worker calls reset() after
 * every call too (src/node/lane-worker.ts), so both sides pay for it.
 */
export async function openRawInWorker(module: WebAssembly.Module): Promise<RawCall> {
  const plugin: Plugin = await createPlugin(module, {
    useWasi: false,
    runInWorker: true,
    functions: rawFunctions,
  });
  return {
    call: async (input) => {
      await plugin.call('handle_command', input);
      await plugin.reset();
    },
    close: () => plugin.close(),
  };
}
