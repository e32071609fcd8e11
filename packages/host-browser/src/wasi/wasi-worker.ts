import type { WasiSandboxResult, WasiSandboxRun } from './wasi-messages.js';
import { runInSandbox } from './run-in-sandbox.js';

/**
 * The WASI runner's Web Worker script: its one message is a run; it answers the result and is then
 * terminated by the page. Bundle it as its own entry (`@plinth/host-browser/wasi-worker`) and hand its
 * URL to `createBrowserWasiRunner`.
 */
interface WorkerScope {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void, options: { once: true }): void;
  postMessage(message: WasiSandboxResult, transfer: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
// Imported anywhere but in a dedicated worker (a page, Node), it says what it is instead of failing oddly.
const workerScope = (globalThis as { WorkerGlobalScope?: abstract new () => unknown }).WorkerGlobalScope;
if (workerScope === undefined || !(globalThis instanceof workerScope)) {
  throw new Error(
    '@plinth/host-browser/wasi-worker is a Web Worker script: start it with new Worker(url, { type: "module" }), do not import it',
  );
}
scope.addEventListener(
  'message',
  (event) => {
    const result = runInSandbox(event.data as WasiSandboxRun);
    const buffers =
      'failure' in result
        ? []
        : [result.stdout, result.stderr, ...result.files.values()].map((bytes) => bytes.buffer);
    scope.postMessage(result, buffers as ArrayBuffer[]);
  },
  { once: true },
);
