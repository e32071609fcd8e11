/**
 * One run of a WASI command as `createWasiBundle` hands it to a runner: the request decoded, its paths and
 * arguments checked, the module read from the plugin's storage, the limits set.
 */
export interface WasiRun {
  /**
   * The module's bytes as stored, not yet inspected: the runner decides what its engine can run (WASI
   * preview1 imports only, a `_start` and a memory export) and answers `invalid_module` otherwise.
   */
  readonly module: Uint8Array;
  /** The key the guest named the module by; also `args[0]`. */
  readonly moduleKey: string;
  /** argv, `args[0]` included. None contains NUL. */
  readonly args: readonly string[];
  /** The module's environment. The wire request has no field for it, so the bundle passes none. */
  readonly env: Readonly<Record<string, string>>;
  readonly stdin: Uint8Array;
  /** Files to write into the sandbox before the run, by sandbox-relative path (checked by `toSandboxPath`). */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Files to read back after the run: the guest's spelling → sandbox-relative path (checked). */
  readonly outputFiles: ReadonlyMap<string, string>;
  /** Wall-clock time for the run; past it the module is stopped and the answer is `timeout`. */
  readonly timeoutMs: number;
  /** The module's linear memory, in 64 KiB pages: its declared maximum is capped to this. */
  readonly memoryMaxPages: number;
  /**
   * stdout, stderr and the output files together, in that order. A runner must not read more than this
   * into memory: past it, it answers `output_too_large` naming the output that crossed it.
   */
  readonly maxOutputBytes: number;
}

/** How a run ended: its exit code, output streams and the requested output files that exist. */
export interface WasiRunOutput {
  readonly exitCode: number;
  readonly stdout: Uint8Array;
  /** Decoded as UTF-8 for the guest (invalid bytes become U+FFFD). */
  readonly stderr: Uint8Array;
  /** The requested output files that exist, by the guest's spelling (keys of `WasiRun.outputFiles`). */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** Why a run produced no output. */
export type WasiRunFailureReason =
  /** The bytes are not a WASI command the runner can run (not WebAssembly, foreign imports, no `_start`). */
  | 'invalid_module'
  /** Still running at `timeoutMs`: stopped. The bundle words this one itself. */
  | 'timeout'
  /** The runner's own memory for the run ran out (not the module's capped linear memory). */
  | 'out_of_memory'
  /** The output crossed `maxOutputBytes`. */
  | 'output_too_large'
  /** An output file leads outside the sandbox (a planted symlink): nothing was read through it. */
  | 'sandbox_escape'
  /** The module trapped. */
  | 'trap'
  /** Anything else: an input file could not be written, the runner's worker failed. */
  | 'failed';

/**
 * A run that produced no output. The guest sees `message` (except for `timeout`), so it must name no host
 * internals (temp paths); word it as the contract suite pins it, e.g. `module "<key>" is not valid
 * WebAssembly: …`, `the module trapped: …`, `stdout makes the output larger than the limit of <n> bytes
 * (maxOutputBytes)`, `output file "<name>" leads outside the sandbox`.
 */
export interface WasiRunFailure {
  readonly failure: WasiRunFailureReason;
  readonly message: string;
}

/**
 * What a WASI backend must provide: one run of a command module, in a fresh sandbox whose root holds only
 * the run's input files, under the run's limits. It answers failures rather than throwing (a rejection is
 * answered as `failed`), and removes everything the run made before answering.
 */
export interface WasiRunner {
  /** Runs one module: its output, or why there is none. */
  run(run: WasiRun): Promise<WasiRunOutput | WasiRunFailure>;
}
