import type { Manifest } from '@extism/extism';
import type { ExtismLogLevel, ExtismLogSink } from '../generic/guest-functions.js';
import type { HostCallContext } from '@plinth/host-kit';
import type { LinkedModule } from './lane.js';

/** What @extism/extism instantiates: the module alone, or the module named `main` with its linked modules. */
export function mainModuleManifest(
  module: WebAssembly.Module,
  linked: readonly LinkedModule[] | undefined,
): WebAssembly.Module | Manifest {
  if (linked === undefined || linked.length === 0) return module;
  return {
    wasm: [...linked.map((entry) => ({ module: entry.module, name: entry.name })), { module, name: 'main' }],
  };
}

/** How rc13 reports an allocation over `memory.maxPages` (it then answers offset 0, and the guest fails later). */
export const HOST_MEMORY_MESSAGE = /^memory limit exceeded/;

const LEVELS: readonly ExtismLogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/**
 * The console @extism/extism writes its own messages to ("memory limit exceeded", …): they go to the
 * guest log sink as source `extism`, or nowhere — never to the host's console.
 */
export function extismLogger(
  sink: ExtismLogSink | undefined,
  current: () => HostCallContext,
  onHostMemory: (message: string) => void,
): Console {
  const write =
    (level: ExtismLogLevel) =>
    (...parts: unknown[]): void => {
      const message = parts.map(String).join(' ');
      if (HOST_MEMORY_MESSAGE.test(message)) onHostMemory(message);
      sink?.({ level, message, source: 'extism' }, current());
    };
  const logger: Partial<Record<string, (...parts: unknown[]) => void>> = { log: write('info') };
  for (const level of LEVELS) logger[level] = write(level);
  return logger as unknown as Console;
}
