import type { WasiRunner } from '@plinth/host-kit';
import type { CrossedWasiResult } from './host-browser-page-wasi.js';
import type { PageBridge } from './page-bridge.js';

/**
 * A `WasiRunner` whose runs are made in the page by the browser runner (a Web Worker per run): run() is
 * async, so it crosses the bridge without blocking this thread.
 */
export function pageWasiRunner(bridge: PageBridge, workerUrl?: string): WasiRunner {
  return {
    async run(run) {
      const crossed = { ...run, files: [...run.files], outputFiles: [...run.outputFiles] };
      const args = workerUrl === undefined ? [crossed] : [crossed, workerUrl];
      const result = (await bridge.call('wasiRun', ...args)) as CrossedWasiResult;
      return 'failure' in result ? result : { ...result, files: new Map(result.files) };
    },
  };
}
