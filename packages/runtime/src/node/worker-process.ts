import { MessageChannel, Worker, type MessagePort, type ResourceLimits } from 'node:worker_threads';
import { BridgeEnd, createBridgeBuffer, type LaneWorkerData } from '../worker/host-bridge.js';
import type { GuestThread, GuestThreadEvents } from '../worker/worker-lane.js';
import { portMessages } from './port-messages.js';

// From dist the worker is plain JS. From source (vitest, tsx — development of this repo only) it is
// TypeScript: a small bootstrap registers tsx in the worker first, since Node 20 ignores a worker's
// `--import` in execArgv. The bare 'tsx/esm/api' resolves from the working directory, i.e. the repo.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './lane-worker.ts' : './lane-worker.js', import.meta.url);
const SOURCE_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import('tsx/esm/api').then((tsx) => { tsx.register(); return import(workerData.entry); });
`;

/** workerData: what every lane worker gets, plus the bridge's buffer and the port for large payloads. */
export interface NodeLaneWorkerData extends LaneWorkerData {
  bridge: SharedArrayBuffer;
  port: MessagePort;
}

export interface WorkerProcessOptions extends LaneWorkerData, GuestThreadEvents {
  resourceLimits: ResourceLimits;
}

/**
 * One worker thread running one plugin instance: owns the thread, its host bridge and its port, and
 * reports a death exactly once. A terminated worker stays dead; the lane starts a new one.
 */
export class WorkerProcess implements GuestThread {
  readonly bridge: BridgeEnd;
  readonly #port: MessagePort;
  readonly #worker: Worker;
  #alive = true;

  constructor(options: WorkerProcessOptions) {
    const { resourceLimits, onStart, onDeath, ...data } = options;
    const buffer = createBridgeBuffer();
    const channel = new MessageChannel();
    this.#port = channel.port1;
    this.bridge = new BridgeEnd(buffer, 'main', portMessages(channel.port1));
    const workerData: NodeLaneWorkerData = { ...data, bridge: buffer, port: channel.port2 };
    this.#worker = new Worker(FROM_SOURCE ? SOURCE_BOOTSTRAP : WORKER_URL, {
      eval: FROM_SOURCE,
      workerData: FROM_SOURCE ? { ...workerData, entry: WORKER_URL.href } : workerData,
      transferList: [channel.port2],
      resourceLimits,
      // @extism/extism imports node:wasi at load, which warns once per worker; the host's log is not the
      // place for it.
      execArgv: ['--disable-warning=ExperimentalWarning'],
    });
    // Idle workers must not keep the host process alive; a pending call's timer does that.
    this.#worker.unref();
    this.#worker.on('message', (message: Parameters<GuestThreadEvents['onStart']>[0]) => {
      if (this.#alive) onStart(message);
    });
    const die = (death: Parameters<GuestThreadEvents['onDeath']>[0]) => {
      if (!this.#alive) return;
      this.#alive = false;
      this.#port.close();
      onDeath(death);
    };
    this.#worker.on('error', (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      die({
        reason: outOfMemory ? 'out_of_memory' : 'crashed',
        message: outOfMemory
          ? 'its worker ran out of JavaScript heap'
          : `its worker crashed: ${error.message}`,
        cause: error,
      });
    });
    this.#worker.on('exit', (code) =>
      die({ reason: 'exited', message: `its worker exited with code ${code}` }),
    );
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Stops the thread, even one spinning in an infinite loop. */
  terminate(): Promise<void> {
    if (!this.#alive) return this.#worker.terminate().then(() => undefined);
    this.#alive = false;
    this.#port.close();
    return this.#worker.terminate().then(() => undefined);
  }
}
