/// <reference lib="dom" />
// The page's half of the WASI tests: runs made by the real browser runner, each in a Web Worker started
// from the worker script the page's server serves beside page.js (the runner's default URL). Bundled into
// host-browser-page.ts. Maps do not cross the bridge (JSON), so runs and outputs cross with entry lists.
import { createBrowserWasiRunner } from '@plinth/host-browser';
import type { WasiRun, WasiRunFailure, WasiRunOutput } from '@plinth/host-kit';

/** A `WasiRun` as it crosses the bridge. */
export type CrossedWasiRun = Omit<WasiRun, 'files' | 'outputFiles'> & {
  files: [string, Uint8Array][];
  outputFiles: [string, string][];
};

/** A run's answer as it crosses the bridge. */
export type CrossedWasiResult =
  WasiRunFailure | (Omit<WasiRunOutput, 'files'> & { files: [string, Uint8Array][] });

const runner = createBrowserWasiRunner();

/** The runner composed hosts in the page use. */
export const pageWasiRunner = () => runner;

/** The page operations of the WASI tests. */
export function pageWasiOperations() {
  return {
    /** One run, by the default runner, or by one whose worker script is at `workerUrl`. */
    async wasiRun(run: CrossedWasiRun, workerUrl?: string): Promise<CrossedWasiResult> {
      const using = workerUrl === undefined ? runner : createBrowserWasiRunner({ workerUrl });
      const result = await using.run({
        ...run,
        files: new Map(run.files),
        outputFiles: new Map(run.outputFiles),
      });
      return 'failure' in result ? result : { ...result, files: [...result.files] };
    },
  };
}
