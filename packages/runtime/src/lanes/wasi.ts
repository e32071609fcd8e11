/**
 * WASI (preview 1) served by Plinth instead of @extism/extism: the loader moves a module's
 * `wasi_snapshot_preview1` imports to `plinth:wasi`, and a lane serves that namespace from a `WasiSystem`
 * — folders mapped by the manifest's `allowed_paths` (read-only ones enforced), stdout and stderr handed
 * to the guest log, and `proc_exit` kept as a typed error with its code. The system itself needs the
 * platform (Node's `node:wasi`: `nodeWasi` from `@plinth/runtime/node`); this file only names its shape.
 */

import { EXTISM_LOG_LEVELS, type ExtismLogLevel, type ExtismLogSink } from '../generic/guest-functions.js';
import type { HostCallContext } from '@plinth/host-kit';

export { GuestExit } from './guest-exit.js';

export const WASI_NAMESPACE = 'wasi_snapshot_preview1';
export const PLINTH_WASI_NAMESPACE = 'plinth:wasi';

/** A host folder the guest sees at `guestPath`. */
export interface WasiMount {
  hostPath: string;
  guestPath: string;
  /** The guest may read and list, never create, change or remove. */
  readOnly: boolean;
}

/** What a `WasiFactory` gets for one instance: its mounts, and where its output lines go. */
export interface WasiSystemOptions {
  mounts: readonly WasiMount[];
  /** A complete line the guest wrote to stdout or stderr (without its newline). */
  output: (stream: 'stdout' | 'stderr', line: string) => void;
}

/** One instance's WASI: its imports, bound to the instance's memory once it exists. */
export interface WasiSystem {
  /** The `plinth:wasi` functions for @extism/extism's `functions` option (context first, as it calls them). */
  imports(): Record<string, Record<string, (context: unknown, ...args: never[]) => unknown>>;
  /** Binds the new instance's memory and runs its `_initialize` (a WASI reactor's constructors). */
  attach(instance: WebAssembly.Instance): void;
  /** Hands on what the guest wrote without a final newline (at the end of each call). */
  flush(): void;
  /** Releases the file descriptors the system holds, once its instance is gone. Safe to call twice. */
  close(): void;
}

/** Makes the WASI system of one instance, e.g. `nodeWasi` from `@plinth/runtime/node`. */
export type WasiFactory = (options: WasiSystemOptions) => WasiSystem | Promise<WasiSystem>;

/** Whether the loader moved the module's WASI imports to Plinth's namespace. */
export function usesPlinthWasi(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((entry) => entry.module === PLINTH_WASI_NAMESPACE);
}

/**
 * Where a WASI system's lines go: the guest log, stdout at `info` and stderr at `warn`, when the level is
 * delivered (`logLevel`, default `info`); nothing without a sink.
 */
export function wasiOutputToLog(
  log: ExtismLogSink | undefined,
  logLevel: ExtismLogLevel | 'silent' | undefined,
  context: () => HostCallContext,
): WasiSystemOptions['output'] {
  const least =
    logLevel === 'silent' ? EXTISM_LOG_LEVELS.length : EXTISM_LOG_LEVELS.indexOf(logLevel ?? 'info');
  return (stream, line) => {
    const level = stream === 'stdout' ? 'info' : 'warn';
    if (log === undefined || EXTISM_LOG_LEVELS.indexOf(level) < least) return;
    log({ level, message: line, source: stream }, context());
  };
}
