import type { WasiRunFailure, WasiRunner, WasiRunOutput } from '@plinth/host-kit';
import { checkOptions } from '@plinth/protocol';
import { browserWasiRunnerOptionsSchema } from '../options.js';
import { checkWasiCommand } from '@plinth/runtime';
import type { WasiSandboxResult, WasiSandboxRun } from './wasi-messages.js';

/** Options of `createBrowserWasiRunner`. */
export interface BrowserWasiRunnerOptions {
  /**
   * The runner's worker script: `@plinth/host-browser/wasi-worker`, built for the browser. Default: the
   * `wasi-worker.js` beside this module, which bundlers that follow `new URL(…, import.meta.url)` build and
   * serve (it must be bundled, not copied: it imports the shim); with others, bundle it as an entry of its
   * own and pass its URL.
   */
  workerUrl?: string | URL | undefined;
  /**
   * The most bytes the sandbox's files may hold together, input files included: they live in the
   * worker's memory. A write past it fails with ENOSPC in the module. Default 64 MiB.
   */
  maxSandboxBytes?: number | undefined;
}

/** The sandbox's file bytes unless `maxSandboxBytes` says otherwise (64 MiB). */
export const DEFAULT_WASI_SANDBOX_MAX_BYTES = 64 * 1024 * 1024;

type Result = WasiRunOutput | WasiRunFailure;
const fail = (failure: WasiRunFailure['failure'], message: string): WasiRunFailure => ({ failure, message });

/**
 * A `WasiRunner` for browsers: each run is checked (WASI imports only, a `_start` and a memory export)
 * and its memory capped on the page, then runs in a Web Worker of its own with browser_wasi_shim over
 * an in-memory file system holding only the run's input files. At `timeoutMs` the worker is terminated,
 * even mid loop; the page never waits on the module. Needs no cross-origin isolation.
 */
export function createBrowserWasiRunner(options: BrowserWasiRunnerOptions = {}): WasiRunner {
  checkOptions('createBrowserWasiRunner', browserWasiRunnerOptionsSchema, options);
  const url = options.workerUrl ?? new URL('./wasi-worker.js', import.meta.url);
  const maxSandboxBytes = options.maxSandboxBytes ?? DEFAULT_WASI_SANDBOX_MAX_BYTES;
  return {
    run(run) {
      const module = checkWasiCommand(run);
      if (!(module instanceof Uint8Array)) return Promise.resolve(module);
      return runInWorker(url, run.timeoutMs, {
        module,
        args: run.args,
        env: run.env,
        stdin: run.stdin,
        files: run.files,
        outputFiles: run.outputFiles,
        maxOutputBytes: run.maxOutputBytes,
        maxSandboxBytes,
      });
    },
  };
}

/** One run in a fresh worker, terminated when it answers, fails or runs past `timeoutMs`. */
function runInWorker(url: string | URL, timeoutMs: number, run: WasiSandboxRun): Promise<Result> {
  return new Promise<Result>((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(url, { type: 'module', name: 'plinth-wasi' });
    } catch (error) {
      resolve(fail('failed', `the module's worker could not be started: ${describe(error)}`));
      return;
    }
    let settled = false;
    const finish = (result: Result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.terminate();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish(fail('timeout', `timed out after ${timeoutMs} ms; the module was stopped`)),
      timeoutMs,
    );
    worker.addEventListener('message', (event: MessageEvent) => finish(event.data as WasiSandboxResult));
    worker.addEventListener('error', (event: ErrorEvent) => {
      // Answered to the guest: the page's console need not report it as uncaught as well.
      event.preventDefault();
      // A script that cannot be fetched or parsed fails with a bare event, without a message. The guest
      // reads this, so it names no URL.
      finish(
        fail(
          'failed',
          event.message
            ? `the module's worker failed: ${event.message}`
            : "the module's worker script could not be loaded (not found, not JavaScript, or not allowed by the page)",
        ),
      );
    });
    worker.addEventListener('messageerror', () =>
      finish(fail('failed', "the module's worker answered a message that could not be read")),
    );
    worker.postMessage(run);
  });
}

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
