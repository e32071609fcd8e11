import type * as ExtismModule from '@extism/extism';

/**
 * @extism/extism, loaded on first use. It imports Node's `wasi` module, and Node then prints
 * "ExperimentalWarning: WASI is an experimental feature" — to every app on Plinth, though no plugin may use
 * WASI at all. A static import would load it while the app's module graph is linked, before any code of
 * ours runs; loaded here, that one warning is dropped while the import runs (every other warning goes
 * through). Node emits it once per process, so nothing later is hidden. Outside Node it is a plain import.
 */
type Extism = typeof ExtismModule;

let loading: Promise<Extism> | undefined;

/** The SDK, typed by the caller (`loadExtism<typeof import('@extism/extism')>()`): its types stay out of Plinth's. */
export function loadExtism<T = unknown>(): Promise<T> {
  loading ??= quietly(() => import('@extism/extism'));
  return loading as Promise<unknown> as Promise<T>;
}

type EmitWarning = (...args: unknown[]) => void;

async function quietly<T>(load: () => Promise<T>): Promise<T> {
  const host = (globalThis as { process?: { emitWarning?: EmitWarning } }).process;
  const original = host?.emitWarning;
  if (host === undefined || typeof original !== 'function') return load();
  const quiet: EmitWarning = (...args) => {
    const [warning, second] = args;
    const text = warning instanceof Error ? warning.message : String(warning);
    const type =
      warning instanceof Error
        ? warning.name
        : typeof second === 'string'
          ? second
          : (second as { type?: unknown } | undefined)?.type;
    if (type === 'ExperimentalWarning' && text.startsWith('WASI is an experimental feature')) return;
    original.apply(host, args);
  };
  host.emitWarning = quiet;
  try {
    return await load();
  } finally {
    if (host.emitWarning === quiet) host.emitWarning = original;
  }
}
