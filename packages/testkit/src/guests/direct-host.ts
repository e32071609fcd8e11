import type { CallContext, Plugin } from '@extism/extism';
import { loadExtism } from '@plinth/runtime';
import { checkOptions, HOST_FUNCTIONS, HOST_FUNCTION_NAMESPACE } from '@plinth/protocol';
import { directPluginArgumentsSchema } from '../testkit-options.js';

/** A host call as a guest made it: the function and its raw input text. */
export interface RecordedHostCall {
  function: string;
  input: string;
}

export interface DirectPluginOptions {
  /** Fixed answers per host function; a function without one answers "not available" in its shape. */
  answers?: Readonly<Record<string, string>>;
}

export interface DirectPlugin {
  plugin: Plugin;
  calls: RecordedHostCall[];
}

/**
 * Instantiates a guest straight on @extism/extism, in-thread, with every catalogue host function
 * registered: each records its call and answers from `answers` or "not available". For testing guests
 * themselves, below the runtime.
 */
export async function createDirectPlugin(
  wasm: Uint8Array,
  options: DirectPluginOptions = {},
): Promise<DirectPlugin> {
  checkOptions('createDirectPlugin', directPluginArgumentsSchema, { wasm, options });
  const calls: RecordedHostCall[] = [];
  const functions: Record<string, (context: CallContext, handle: bigint) => bigint> = {};
  for (const spec of HOST_FUNCTIONS) {
    functions[spec.name] = (context, handle) => {
      const input = context.read(handle)?.text() ?? '';
      calls.push({ function: spec.name, input });
      const answer = options.answers?.[spec.name] ?? spec.notAvailableOutput();
      return context.store(answer);
    };
  }
  const { default: createPlugin } = await loadExtism();
  const plugin = await createPlugin(
    { wasm: [{ data: wasm }] },
    { useWasi: false, functions: { [HOST_FUNCTION_NAMESPACE]: functions } },
  );
  return { plugin, calls };
}
