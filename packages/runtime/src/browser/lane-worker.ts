import { BridgeEnd, type StartMessage } from '../worker/host-bridge.js';
import { runGuestWorker } from '../worker/guest-worker.js';
import type { BrowserLaneWorkerStart } from './web-worker-thread.js';

/**
 * The worker lane's Web Worker script: its first message brings the instance to run and the bridge's
 * buffer; start-up messages go back by postMessage. Bundle it as its own entry
 * (`@plinth/runtime/browser/lane-worker`) and hand its URL to `createWorkerLane`.
 */
interface WorkerScope {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void, options: { once: true }): void;
  postMessage(message: StartMessage): void;
}

const scope = globalThis as unknown as WorkerScope;
// Imported anywhere but in a dedicated worker (a page, Node), it says what it is instead of failing oddly.
const workerScope = (globalThis as { WorkerGlobalScope?: abstract new () => unknown }).WorkerGlobalScope;
if (workerScope === undefined || !(globalThis instanceof workerScope)) {
  throw new Error(
    '@plinth/runtime/browser/lane-worker is a Web Worker script: start it with new Worker(url, { type: "module" }), do not import it',
  );
}
scope.addEventListener(
  'message',
  (event) => {
    const { data, bridge } = event.data as BrowserLaneWorkerStart;
    void runGuestWorker(data, {
      bridge: new BridgeEnd(bridge, 'worker'),
      post: (message) => scope.postMessage(message),
    });
  },
  { once: true },
);
