import {
  ConsoleStdout,
  Directory,
  File,
  OpenFile,
  PreopenDirectory,
  WASI,
  type Inode,
} from '@bjorn3/browser_wasi_shim';
import type { WasiRunFailure } from '@plinth/host-kit';
import type { WasiSandboxResult, WasiSandboxRun } from './wasi-messages.js';
import { capSandboxBytes, fixArgsSizes } from './sandbox-imports.js';

const fail = (failure: WasiRunFailure['failure'], message: string): WasiRunFailure => ({ failure, message });
const tooLarge = (what: string, maxBytes: number) =>
  fail(
    'output_too_large',
    `${what} makes the output larger than the limit of ${maxBytes} bytes (maxOutputBytes)`,
  );

/** Thrown out of the module's fd_write when stdout and stderr cross `maxOutputBytes`: the run stops there. */
class OutputOverflow extends Error {
  constructor(readonly what: 'stdout' | 'stderr') {
    super(`${what} crossed maxOutputBytes`);
  }
}

/** stdout and stderr as the module writes them, never more than `maxBytes` together. */
class OutputStreams {
  readonly #chunks = { stdout: [] as Uint8Array[], stderr: [] as Uint8Array[] };
  readonly #bytes = { stdout: 0, stderr: 0 };
  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.#bytes.stdout + this.#bytes.stderr;
  }

  add(stream: 'stdout' | 'stderr', chunk: Uint8Array): void {
    if (this.bytes + chunk.length > this.maxBytes) {
      // Counted stdout first, as the answer is: stdout names the crossing only if it is over alone.
      const stdout = this.#bytes.stdout + (stream === 'stdout' ? chunk.length : 0);
      throw new OutputOverflow(stdout > this.maxBytes ? 'stdout' : 'stderr');
    }
    this.#chunks[stream].push(chunk);
    this.#bytes[stream] += chunk.length;
  }

  take(stream: 'stdout' | 'stderr'): Uint8Array {
    const joined = new Uint8Array(this.#bytes[stream]);
    let at = 0;
    for (const chunk of this.#chunks[stream]) {
      joined.set(chunk, at);
      at += chunk.length;
    }
    return joined;
  }
}

/**
 * Runs one WASI preview1 command (its module already checked and memory-capped) to completion with
 * browser_wasi_shim, over an in-memory file system that holds only the run's input files, preopened as
 * `/`. Synchronous: the caller runs it in a worker it can terminate. Answers failures, never throws.
 */
export function runInSandbox(run: WasiSandboxRun): WasiSandboxResult {
  const tree = inputTree(run);
  if (!(tree instanceof Map)) return tree;
  const output = new OutputStreams(run.maxOutputBytes);
  const stdin = new File(run.stdin, { readonly: true });
  const root = new PreopenDirectory('/', tree);
  const env = Object.entries(run.env).map(([name, value]) => `${name}=${value}`);
  const wasi = new WASI(
    [...run.args],
    env,
    [
      new OpenFile(stdin),
      new ConsoleStdout((chunk) => output.add('stdout', chunk)),
      new ConsoleStdout((chunk) => output.add('stderr', chunk)),
      root,
    ],
    // Left out, the shim logs every path the module opens to the console.
    { debug: false },
  );
  fixArgsSizes(wasi);
  capSandboxBytes(wasi, root, { maxBytes: run.maxSandboxBytes, uncounted: [stdin] });

  let phase: 'compile' | 'instantiate' | 'start' = 'compile';
  let exitCode: number;
  try {
    const module = new WebAssembly.Module(run.module as Uint8Array<ArrayBuffer>);
    phase = 'instantiate';
    const instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasi.wasiImport });
    phase = 'start';
    exitCode = wasi.start(instance as unknown as Parameters<WASI['start']>[0]);
  } catch (error) {
    return failureOf(error, phase, run.maxOutputBytes);
  }

  let budget = run.maxOutputBytes - output.bytes;
  const files = new Map<string, Uint8Array>();
  for (const [name, path] of run.outputFiles) {
    const entry = root.path_lookup(path, 0).inode_obj;
    // Only the requested files that exist; a folder of that name is not one.
    if (!(entry instanceof File)) continue;
    if (entry.data.byteLength > budget) return tooLarge(`output file "${name}"`, run.maxOutputBytes);
    budget -= entry.data.byteLength;
    files.set(name, entry.data.slice());
  }
  return { exitCode, stdout: output.take('stdout'), stderr: output.take('stderr'), files };
}

type Tree = Map<string, Tree | Uint8Array>;

/** The input files as the sandbox's root folder, or why they cannot all be written. */
function inputTree(run: WasiSandboxRun): Map<string, Inode> | WasiRunFailure {
  const root: Tree = new Map();
  let bytes = 0;
  for (const [path, content] of run.files) {
    const refuse = (why: string) => fail('failed', `could not write input file "${path}": ${why}`);
    bytes += content.length;
    if (bytes > run.maxSandboxBytes) {
      return refuse(
        `the input files hold more than the sandbox's ${run.maxSandboxBytes} bytes (maxSandboxBytes)`,
      );
    }
    const segments = path.split('/').filter((segment) => segment !== '');
    const name = segments.pop();
    if (name === undefined) return refuse('it names no file');
    let folder = root;
    for (const [index, segment] of segments.entries()) {
      const next = folder.get(segment) ?? new Map<string, Tree | Uint8Array>();
      if (!(next instanceof Map)) return refuse(`"${segments.slice(0, index + 1).join('/')}" is a file`);
      folder.set(segment, next);
      folder = next;
    }
    if (folder.get(name) instanceof Map) return refuse('it is a folder');
    folder.set(name, content);
  }
  const toInodes = (tree: Tree): Map<string, Inode> =>
    new Map(
      [...tree].map(([name, entry]): [string, Inode] => [
        name,
        entry instanceof Map ? new Directory(toInodes(entry)) : new File(entry),
      ]),
    );
  return toInodes(root);
}

function failureOf(
  error: unknown,
  phase: 'compile' | 'instantiate' | 'start',
  maxBytes: number,
): WasiRunFailure {
  if (error instanceof OutputOverflow) return tooLarge(error.what, maxBytes);
  const described = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // The engine could not allocate: an ArrayBuffer for a file, or the module's memory at instantiation.
  if (
    error instanceof RangeError &&
    /out of memory|allocation failed|invalid typed array length/i.test(error.message)
  ) {
    return fail('out_of_memory', `the module ran out of memory: ${described}`);
  }
  switch (phase) {
    case 'compile':
      return fail('invalid_module', `the module is not valid WebAssembly: ${described}`);
    case 'instantiate':
      return fail('invalid_module', `the module could not be instantiated: ${described}`);
    case 'start':
      return fail('trap', `the module trapped: ${described}`);
  }
}
