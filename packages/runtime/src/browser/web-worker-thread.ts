import { BridgeEnd, createGrowableBridgeBuffer, type LaneWorkerData } from '../worker/host-bridge.js';
import type { GuestThread, GuestThreadEvents } from '../worker/worker-lane.js';

/** The one message a lane worker gets: what to run, and the bridge's shared buffer. */
export interface BrowserLaneWorkerStart {
  data: LaneWorkerData;
  bridge: SharedArrayBuffer;
}

/**
 * One Web Worker running one plugin instance. Large messages grow the bridge's buffer (a page has no
 * synchronous port), up to `maxMessageBytes`. A worker reports a death once: when its script fails to load
 * or throws outside a call; a terminated worker stays dead and the lane starts a new one.
 */
export class WebWorkerThread implements GuestThread {
  readonly bridge: BridgeEnd;
  readonly #worker: Worker;
  #alive = true;

  constructor(
    url: string | URL,
    maxMessageBytes: number,
    data: LaneWorkerData,
    { onStart, onDeath }: GuestThreadEvents,
  ) {
    const buffer = createGrowableBridgeBuffer(maxMessageBytes);
    this.bridge = new BridgeEnd(buffer, 'main');
    this.#worker = new Worker(url, { type: 'module', name: 'plinth-lane' });
    this.#worker.addEventListener('message', (event: MessageEvent) => {
      if (this.#alive) onStart(event.data as Parameters<GuestThreadEvents['onStart']>[0]);
    });
    const die = (message: string, cause?: unknown) => {
      if (!this.#alive) return;
      this.#alive = false;
      this.#worker.terminate();
      onDeath({ reason: 'crashed', message, cause });
    };
    this.#worker.addEventListener('error', (event: ErrorEvent) => {
      // Handled here: the page's console need not report it as uncaught as well.
      event.preventDefault();
      // A script that cannot be fetched or parsed fails with a bare event, without a message.
      die(
        event.message
          ? `its worker failed: ${event.message}`
          : `its worker script ${String(url)} could not be loaded (not found, not JavaScript, or not allowed by the page's cross-origin policy)`,
        event.error,
      );
    });
    this.#worker.addEventListener('messageerror', () =>
      die('its worker received a message it could not read'),
    );
    const start: BrowserLaneWorkerStart = { data, bridge: buffer };
    this.#worker.postMessage(start);
  }

  get alive(): boolean {
    return this.#alive;
  }

  terminate(): Promise<void> {
    this.#alive = false;
    this.#worker.terminate();
    return Promise.resolve();
  }
}
