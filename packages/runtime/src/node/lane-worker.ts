import { parentPort, workerData } from 'node:worker_threads';
import { BridgeEnd, type StartMessage } from '../worker/host-bridge.js';
import { runGuestWorker } from '../worker/guest-worker.js';
import { nodeWasi } from './node-wasi.js';
import { portMessages } from './port-messages.js';
import type { NodeLaneWorkerData } from './worker-process.js';

/**
 * The isolated lane's worker thread: the bridge's buffer and its port for large payloads come in
 * workerData; start-up messages go to the parent port. It imports only @extism/extism and the guest side
 * of the lane, so a recycled worker starts quickly.
 */
const data = workerData as NodeLaneWorkerData;
await runGuestWorker(data, {
  bridge: new BridgeEnd(data.bridge, 'worker', portMessages(data.port)),
  post: (message: StartMessage) => parentPort?.postMessage(message),
  wasi: nodeWasi,
});
