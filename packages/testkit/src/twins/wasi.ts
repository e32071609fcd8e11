import type { WasiRun, WasiRunFailure, WasiRunner, WasiRunOutput } from '@plinth/host-kit';
import { checkOptions } from '@plinth/protocol';
import { scriptedWasiRunnerArgumentsSchema } from '../testkit-options.js';

/**
 * What a scripted module answers: how it exited, what it wrote (text or bytes), and the files it leaves
 * in its sandbox by sandbox-relative path — or a runner failure such as a timeout or a trap.
 */
export type WasiScriptAnswer =
  | {
      exitCode?: number;
      stdout?: string | Uint8Array;
      stderr?: string | Uint8Array;
      /** Files the module wrote, by sandbox-relative path (`out.txt`, `nested/x.bin`); default none. */
      files?: Readonly<Record<string, string | Uint8Array>>;
    }
  | WasiRunFailure;

/** One module a ScriptedWasiRunner plays: which runs it matches, and what it answers. */
export interface WasiScript {
  /** The module key (exact), a pattern tested against the key, or the module's exact bytes. */
  module: string | RegExp | Uint8Array;
  /** A fixed answer, or a function of the run (which may be async). */
  respond: WasiScriptAnswer | ((run: WasiRun) => WasiScriptAnswer | Promise<WasiScriptAnswer>);
}

/** The in-memory twin of a WASI runner, with every run it was asked for. */
export interface ScriptedWasiRunner extends WasiRunner {
  /** Every run, in order, including ones no script matched. */
  readonly runs: WasiRun[];
  /** The scripts, in the order they are consulted. */
  readonly scripts: readonly WasiScript[];
  /** Adds a script; later scripts are consulted after earlier ones. */
  addScript(script: WasiScript): void;
}

const encoder = new TextEncoder();
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * The in-memory twin of a WASI runner: modules played by scripts, first match wins. Like a real runner it
 * answers `invalid_module` for bytes that are not WebAssembly (no `\0asm` header), starts each run's
 * sandbox from the input files (so an input file asked for as an output comes back), stops a script that
 * outlasts `timeoutMs`, and answers `output_too_large` past `maxOutputBytes`. It runs no code and does
 * not enforce `memoryMaxPages` (a script may read it from the run). A module no script matches answers
 * `failed`.
 */
export function createScriptedWasiRunner(scripts: readonly WasiScript[] = []): ScriptedWasiRunner {
  checkOptions('createScriptedWasiRunner', scriptedWasiRunnerArgumentsSchema, { scripts });
  const table = [...scripts];
  const runs: WasiRun[] = [];
  return {
    runs,
    scripts: table,
    addScript(script) {
      table.push(script);
    },
    async run(run) {
      runs.push(run);
      const name = `module "${run.moduleKey}"`;
      if (!WASM_MAGIC.every((byte, index) => run.module[index] === byte)) {
        return {
          failure: 'invalid_module',
          message: `${name} is not valid WebAssembly: it does not start with the \\0asm magic number`,
        };
      }
      const script = table.find((candidate) => matches(candidate, run));
      if (script === undefined) return { failure: 'failed', message: `${name} has no script in this twin` };
      const answer = await withTimeout(
        typeof script.respond === 'function' ? script.respond(run) : script.respond,
        run.timeoutMs,
      );
      return 'failure' in answer ? answer : output(answer, run);
    },
  };
}

function matches(script: WasiScript, run: WasiRun): boolean {
  if (typeof script.module === 'string') return script.module === run.moduleKey;
  if (script.module instanceof RegExp) {
    script.module.lastIndex = 0;
    return script.module.test(run.moduleKey);
  }
  const bytes = script.module;
  return bytes.length === run.module.length && bytes.every((byte, index) => run.module[index] === byte);
}

/** The script's answer, or `timeout` when it takes longer than the run may. */
async function withTimeout(
  answer: WasiScriptAnswer | Promise<WasiScriptAnswer>,
  timeoutMs: number,
): Promise<WasiScriptAnswer> {
  if (!(answer instanceof Promise)) return answer;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<WasiScriptAnswer>((resolve) => {
    timer = setTimeout(
      () => resolve({ failure: 'timeout', message: `timed out after ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([answer, expired]);
  } finally {
    clearTimeout(timer);
  }
}

const bytesOf = (value: string | Uint8Array | undefined): Uint8Array =>
  typeof value === 'string' ? encoder.encode(value) : (value ?? new Uint8Array());

/** A script's success as the runner answers it, within the run's output budget. */
function output(
  answer: Exclude<WasiScriptAnswer, WasiRunFailure>,
  run: WasiRun,
): WasiRunOutput | WasiRunFailure {
  const sandbox = new Map(run.files);
  for (const [path, content] of Object.entries(answer.files ?? {})) sandbox.set(path, bytesOf(content));
  let budget = run.maxOutputBytes;
  const take = (bytes: Uint8Array, what: string): WasiRunFailure | null => {
    if (bytes.length > budget) {
      return {
        failure: 'output_too_large',
        message: `${what} makes the output larger than the limit of ${run.maxOutputBytes} bytes (maxOutputBytes)`,
      };
    }
    budget -= bytes.length;
    return null;
  };
  const stdout = bytesOf(answer.stdout);
  const stderr = bytesOf(answer.stderr);
  const tooLarge = take(stdout, 'stdout') ?? take(stderr, 'stderr');
  if (tooLarge) return tooLarge;
  const files = new Map<string, Uint8Array>();
  for (const [name, path] of run.outputFiles) {
    const bytes = sandbox.get(path);
    if (bytes === undefined) continue;
    const over = take(bytes, `output file "${name}"`);
    if (over) return over;
    files.set(name, bytes);
  }
  return { exitCode: answer.exitCode ?? 0, stdout, stderr, files };
}
