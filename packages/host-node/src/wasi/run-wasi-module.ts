import { closeSync, fstatSync, openSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { WasiRun, WasiRunFailure, WasiRunOutput } from '@plinth/host-kit';
import { WASI_WORKER_SOURCE, type WasiWorkerMessage } from './wasi-worker-source.js';

/** Where and how the Node runner runs modules: the temp directories and the worker's heap. */
export interface NodeWasiRunnerOptions {
  /** Where per-run temp directories are made. Default `os.tmpdir()`. */
  tempRoot?: string | undefined;
  /** The worker's JavaScript heap. Default `DEFAULT_WASI_RESOURCE_LIMITS`. */
  resourceLimits?: ResourceLimits | undefined;
  /** Told the temp directory of each run as it is made (e.g. for a test to check it is removed). */
  onTempDir?: ((path: string) => void) | undefined;
}

/** The worker's default JavaScript heap limits: 64 MB old generation, 16 MB young. */
export const DEFAULT_WASI_RESOURCE_LIMITS: Readonly<ResourceLimits> = Object.freeze({
  maxOldGenerationSizeMb: 64,
  maxYoungGenerationSizeMb: 16,
});

type Result = WasiRunOutput | WasiRunFailure;
const fail = (failure: WasiRunFailure['failure'], message: string): WasiRunFailure => ({ failure, message });

/**
 * Runs one WASI preview1 command (its module already checked and memory-capped) in a worker thread, in a
 * fresh temp directory preopened as `/`, with stdio through files beside (not inside) that root. The
 * worker is terminated at the timeout; the temp directory is always removed.
 */
export async function runWasiModule(run: WasiRun, options: NodeWasiRunnerOptions): Promise<Result> {
  const base = await mkdtemp(join(options.tempRoot ?? tmpdir(), 'plinth-wasi-'));
  options.onTempDir?.(base);
  try {
    const root = join(base, 'root');
    await mkdir(root);
    for (const [path, bytes] of run.files) {
      const target = join(root, path);
      try {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, bytes);
      } catch (error) {
        return fail('failed', `could not write input file "${path}": ${describe(error)}`);
      }
    }
    const stdio = { stdin: join(base, 'stdin'), stdout: join(base, 'stdout'), stderr: join(base, 'stderr') };
    await writeFile(stdio.stdin, run.stdin);
    const ran = await runInWorker(run, options, root, stdio);
    if ('failure' in ran) return ran;
    return await collectOutput(run, root, stdio, ran.exitCode);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

type Ran = { exitCode: number } | WasiRunFailure;

async function runInWorker(
  run: WasiRun,
  options: NodeWasiRunnerOptions,
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
        bytes: run.module,
        args: [...run.args],
        env: { ...run.env },
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
        finish(fail('timeout', `timed out after ${run.timeoutMs} ms; the module was stopped`));
        void worker.terminate();
      }, run.timeoutMs);
      worker.on('message', (message: WasiWorkerMessage) => {
        finish(message.kind === 'exit' ? { exitCode: message.code } : failureOf(message));
      });
      worker.on('error', (error: Error & { code?: string }) =>
        finish(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? fail('out_of_memory', 'the module ran out of memory')
            : fail('failed', `the module's worker failed: ${describe(error)}`),
        ),
      );
      worker.on('exit', () => finish(fail('failed', "the module's worker stopped without an exit code")));
    }).finally(() => worker.terminate());
  } finally {
    // After the worker is gone, so the module can no longer use them.
    for (const owned of fds) owned.close();
    closeFdsUnder(root);
  }
}

function failureOf(message: Extract<WasiWorkerMessage, { kind: 'error' }>): WasiRunFailure {
  switch (message.phase) {
    case 'compile':
      return fail('invalid_module', `the module is not valid WebAssembly: ${message.message}`);
    case 'instantiate':
      return fail('invalid_module', `the module could not be instantiated: ${message.message}`);
    case 'start':
      return fail('trap', `the module trapped: ${message.message}`);
  }
}

async function collectOutput(
  run: WasiRun,
  root: string,
  stdio: { stdout: string; stderr: string },
  exitCode: number,
): Promise<Result> {
  let budget = run.maxOutputBytes;
  const take = async (path: string, what: string): Promise<Uint8Array | WasiRunFailure> => {
    const { size } = await stat(path);
    if (size > budget) {
      return fail(
        'output_too_large',
        `${what} makes the output larger than the limit of ${run.maxOutputBytes} bytes (maxOutputBytes)`,
      );
    }
    budget -= size;
    return new Uint8Array(await readFile(path));
  };
  const stdout = await take(stdio.stdout, 'stdout');
  if ('failure' in stdout) return stdout;
  const stderr = await take(stdio.stderr, 'stderr');
  if ('failure' in stderr) return stderr;
  const files = new Map<string, Uint8Array>();
  const realRoot = await realpath(root);
  for (const [name, path] of run.outputFiles) {
    const full = join(root, path);
    const entry = await lstat(full).catch(() => undefined);
    if (entry === undefined) continue; // "output files that exist"
    // The module may have planted a symlink to a host file; follow links only to places inside the root.
    const real = await realpath(full).catch(() => undefined);
    if (real === undefined || !(real + sep).startsWith(realRoot + sep))
      return fail('sandbox_escape', `output file "${name}" leads outside the sandbox`);
    if (!(await stat(real)).isFile()) continue;
    const bytes = await take(real, `output file "${name}"`);
    if ('failure' in bytes) return bytes;
    files.set(name, bytes);
  }
  return { exitCode, stdout, stderr, files };
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
