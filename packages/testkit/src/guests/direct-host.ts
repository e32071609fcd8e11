import type * as ExtismSdk from '@extism/extism';
import type { CallContext } from '@extism/extism';
import { loadExtism } from '@plinth/runtime';
import { checkOptions, HOST_FUNCTIONS, HOST_FUNCTION_NAMESPACE } from '@plinth/protocol';
import { directPluginArgumentsSchema } from '../testkit-options.js';

/** A host call as a guest made it: the function and its raw input text. */
export interface RecordedHostCall {
  function: string;
  input: string;
}

/** What `createDirectPlugin` may be told. */
export interface DirectPluginOptions {
  /** Fixed answers per host function; a function without one answers "not available" in its shape. */
  answers?: Readonly<Record<string, string>>;
}

/**
 * The @extism/extism plugin as a direct test uses it: call an export, read the output, close. Named here so
 * the SDK's own types stay out of the testkit's published declarations.
 */
export interface DirectExtismPlugin {
  /** Calls a guest export with the input; answers its output, or null when the export wrote none. */
  call(
    exportName: string,
    input?: string | Uint8Array,
  ): Promise<{
    /** The output decoded as UTF-8. */
    text(): string;
    /** The output bytes as they are. */
    bytes(): Uint8Array;
  } | null>;
  /** Whether the module has an export of that name. */
  functionExists(name: string): Promise<boolean>;
  /** Frees the plugin; call it once the test is done with it. */
  close(): Promise<void>;
}

/**
 * A directly instantiated guest and the host calls it has made so far, in order (clear the array to start
 * over).
 */
export interface DirectPlugin {
  plugin: DirectExtismPlugin;
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
  const { default: createPlugin } = await loadExtism<typeof ExtismSdk>();
  const plugin = await createPlugin(
    { wasm: [{ data: wasm }] },
    { useWasi: false, functions: { [HOST_FUNCTION_NAMESPACE]: functions } },
  );
  return { plugin, calls };
}
