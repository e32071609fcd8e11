import { closeSync, fstatSync, openSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { WASI_WORKER_SOURCE, type WasiWorkerMessage } from './wasi-worker-source.js';

/**
 * One WASI run for `runWasiModule`: the module, its argv, stdin and files, and the limits; the inputs are
 * already checked.
 */
export interface WasiRunOptions {
  /** The module, already checked (imports) and memory-capped. */
  module: Uint8Array;
  /** argv, including argv[0]. */
  args: readonly string[];
  stdin: Uint8Array;
  /** Input files, by sandbox-relative path (already validated). */
  files: ReadonlyMap<string, Uint8Array>;
  /** Sandbox-relative paths to read back (already validated), keyed by the name the caller used. */
  outputFiles: ReadonlyMap<string, string>;
  timeoutMs: number;
  /** stdout + stderr + output files, in bytes. */
  maxOutputBytes: number;
  /** Where the per-run temp directory is made. Default `os.tmpdir()`. */
  tempRoot?: string | undefined;
  resourceLimits?: ResourceLimits | undefined;
  /** Told the temp directory of each run (tests check it is gone afterwards). */
  onTempDir?: ((path: string) => void) | undefined;
}

/**
 * How a run ended: the exit code, stdout, stderr and requested output files, or why it could not run or
 * finish.
 */
export type WasiRunResult =
  | { ok: true; exitCode: number; stdout: Uint8Array; stderr: string; files: Map<string, Uint8Array> }
  | { ok: false; message: string };

/** The worker's default JavaScript heap limits: 64 MB old generation, 16 MB young. */
export const DEFAULT_WASI_RESOURCE_LIMITS: Readonly<ResourceLimits> = Object.freeze({
  maxOldGenerationSizeMb: 64,
  maxYoungGenerationSizeMb: 16,
});

/**
 * Runs one WASI preview1 command in a worker thread, in a fresh temp directory preopened as `/`, with
 * stdio through files beside (not inside) that root. The worker is terminated at the timeout; the
 * temp directory is always removed.
 */
export async function runWasiModule(options: WasiRunOptions): Promise<WasiRunResult> {
  const base = await mkdtemp(join(options.tempRoot ?? tmpdir(), 'plinth-wasi-'));
  options.onTempDir?.(base);
  try {
    const root = join(base, 'root');
    await mkdir(root);
    for (const [path, bytes] of options.files) {
      const target = join(root, path);
      try {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, bytes);
      } catch (error) {
        return { ok: false, message: `could not write input file "${path}": ${describe(error)}` };
      }
    }
    const stdio = { stdin: join(base, 'stdin'), stdout: join(base, 'stdout'), stderr: join(base, 'stderr') };
    await writeFile(stdio.stdin, options.stdin);
    const ran = await runInWorker(options, root, stdio);
    if (!ran.ok) return ran;
    return await collectOutput(options, root, stdio, ran.exitCode);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

type Ran = { ok: true; exitCode: number } | { ok: false; message: string };

async function runInWorker(
  options: WasiRunOptions,
  root: string,
  stdio: { stdin: string; stdout: string; stderr: string },
): Promise<Ran> {
  const fds = [
    openOwned(stdio.stdin, 'r'),
    openOwned(stdio.stdout, 'w'),
    openOwned(stdio.stderr, 'w'),
  ] as const;
  try {
    const worker = new Worker(WASI_WORKER_SOURCE, {
      eval: true,
      workerData: {
        bytes: options.module,
        args: [...options.args],
        root,
        stdin: fds[0].fd,
        stdout: fds[1].fd,
        stderr: fds[2].fd,
      },
      resourceLimits: options.resourceLimits ?? DEFAULT_WASI_RESOURCE_LIMITS,
      execArgv: ['--disable-warning=ExperimentalWarning'],
      stdout: true,
      stderr: true,
    });
    return await new Promise<Ran>((resolve) => {
      let settled = false;
      const finish = (result: Ran) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => {
        finish({
          ok: false,
          message: `timed out after ${options.timeoutMs} ms (timeoutMs); the module was stopped`,
        });
        void worker.terminate();
      }, options.timeoutMs);
      worker.on('message', (message: WasiWorkerMessage) => {
        if (message.kind === 'exit') finish({ ok: true, exitCode: message.code });
        else finish({ ok: false, message: failureOf(message) });
      });
      worker.on('error', (error: Error & { code?: string }) =>
        finish({
          ok: false,
          message:
            error.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? 'the module ran out of memory'
              : `the module's worker failed: ${describe(error)}`,
        }),
      );
      worker.on('exit', () =>
        finish({ ok: false, message: "the module's worker stopped without an exit code" }),
      );
    }).finally(() => worker.terminate());
  } finally {
    // After the worker is gone, so the module can no longer use them.
    for (const owned of fds) owned.close();
    closeFdsUnder(root);
  }
}

function failureOf(message: Extract<WasiWorkerMessage, { kind: 'error' }>): string {
  switch (message.phase) {
    case 'compile':
      return `the module is not valid WebAssembly: ${message.message}`;
    case 'instantiate':
      return `the module could not be instantiated: ${message.message}`;
    case 'start':
      return `the module trapped: ${message.message}`;
  }
}

async function collectOutput(
  options: WasiRunOptions,
  root: string,
  stdio: { stdout: string; stderr: string },
  exitCode: number,
): Promise<WasiRunResult> {
  let budget = options.maxOutputBytes;
  const take = async (path: string, what: string): Promise<Uint8Array | string> => {
    const { size } = await stat(path);
    if (size > budget)
      return `${what} makes the output larger than the limit of ${options.maxOutputBytes} bytes (maxOutputBytes)`;
    budget -= size;
    return readFile(path);
  };
  const stdout = await take(stdio.stdout, 'stdout');
  if (typeof stdout === 'string') return { ok: false, message: stdout };
  const stderr = await take(stdio.stderr, 'stderr');
  if (typeof stderr === 'string') return { ok: false, message: stderr };
  const files = new Map<string, Uint8Array>();
  const realRoot = await realpath(root);
  for (const [name, path] of options.outputFiles) {
    const full = join(root, path);
    const entry = await lstat(full).catch(() => undefined);
    if (entry === undefined) continue; // "output files that exist"
    // The module may have planted a symlink to a host file; follow links only to places inside the root.
    const real = await realpath(full).catch(() => undefined);
    if (real === undefined || !(real + sep).startsWith(realRoot + sep))
      return { ok: false, message: `output file "${name}" leads outside the sandbox` };
    if (!(await stat(real)).isFile()) continue;
    const bytes = await take(real, `output file "${name}"`);
    if (typeof bytes === 'string') return { ok: false, message: bytes };
    files.set(name, bytes);
  }
  return { ok: true, exitCode, stdout, stderr: new TextDecoder().decode(stderr), files };
}

/**
 * An fd this process opened for the module's stdio. The module may close it (fd_close) and the number
 * be reused by someone else, so it is closed only if it still refers to the same file.
 */
function openOwned(path: string, flags: 'r' | 'w'): { fd: number; close(): void } {
  const fd = openSync(path, flags);
  const { dev, ino } = fstatSync(fd);
  return {
    fd,
    close() {
      try {
        const now = fstatSync(fd);
        if (now.dev === dev && now.ino === ino) closeSync(fd);
      } catch {
        // Already closed by the module.
      }
    },
  };
}

/**
 * A worker terminated mid-run cannot close what node:wasi opened (the preopen, the module's files). On
 * Linux those fds are found by where they point: only this run's fresh root can be under `root`.
 */
function closeFdsUnder(root: string): void {
  if (process.platform !== 'linux') return;
  let entries: string[];
  try {
    entries = readdirSync('/proc/self/fd');
  } catch {
    return;
  }
  const real = realpathSync(root);
  for (const entry of entries) {
    try {
      const target = readlinkSync(`/proc/self/fd/${entry}`);
      if (target === real || target.startsWith(`${real}/`)) closeSync(Number(entry));
    } catch {
      // Gone meanwhile (e.g. the fd of the directory listing itself).
    }
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
