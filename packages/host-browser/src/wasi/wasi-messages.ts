import type { WasiRunFailure, WasiRunOutput } from '@plinth/host-kit';

/** What the page sends a WASI worker: one run, its module already checked and memory-capped. */
export interface WasiSandboxRun {
  readonly module: Uint8Array;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: Uint8Array;
  /** Sandbox-relative path → bytes, written into the sandbox before the run. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** The guest's spelling → sandbox-relative path, read back after the run. */
  readonly outputFiles: ReadonlyMap<string, string>;
  readonly maxOutputBytes: number;
  /** The most bytes the sandbox's files may hold together (input files included). */
  readonly maxSandboxBytes: number;
}

/** What the worker answers: the run's output, or why there is none (never `timeout`: the page times). */
export type WasiSandboxResult = WasiRunOutput | WasiRunFailure;
