import { checkOptions, defineOptions, PlinthError } from '@plinth/protocol';
import { z } from 'zod';
import type { Lane, LaneFactory, LaneOptions } from '../lanes/lane.js';
import { laneOptionsSchema } from '../options/loading-options.js';
import { openWorkerLane } from '../worker/worker-lane.js';
import { WebWorkerThread } from './web-worker-thread.js';

/** Options of `createWorkerLane`: those of every lane, plus where its worker script is. */
export interface WorkerLaneOptions extends LaneOptions {
  /**
   * The lane's worker script: `@plinth/runtime/browser/lane-worker`, built for the browser. Default: the
   * `lane-worker.js` beside this module, which bundlers that understand `new URL(…, import.meta.url)`
   * (Vite, webpack 5, Parcel) build and serve; with others, bundle it as an entry of its own and pass its URL.
   */
  workerUrl?: string | URL | undefined;
  /**
   * The largest message between the page and the worker: a call's input, a host function's answer, the
   * output. Default 64 MiB. The bridge's shared buffer grows to the largest message sent, and keeps that size.
   */
  maxMessageBytes?: number | undefined;
}

/** What `workerLane` is told: the lane options that are the page's, not the plugin's. */
export type WorkerLaneSettings = Pick<WorkerLaneOptions, 'workerUrl' | 'maxMessageBytes'>;

/** The largest message between the page and a lane worker unless `maxMessageBytes` says otherwise (64 MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

const workerLaneSettingsShape = {
  workerUrl: z
    .union([z.string().min(1), z.instanceof(URL)])
    .describe('the worker script URL')
    .optional(),
  maxMessageBytes: z.int().min(65_536).describe('a whole number of bytes, at least 65536').optional(),
};
const workerLaneSettingsSchema = defineOptions<WorkerLaneSettings>()(z.strictObject(workerLaneSettingsShape));
const workerLaneOptionsSchema = defineOptions<WorkerLaneOptions>()(
  laneOptionsSchema.extend(workerLaneSettingsShape),
);

/**
 * The browser's isolated lane: one Web Worker per instance, running the guest there, with host functions
 * served on the page (sync or async handlers, so `host_http_request` through fetch works) through a blocking
 * shared-memory bridge. Every call has a hard wall-clock limit: on expiry the worker is terminated, even mid
 * infinite loop, and the call rejects with `timeout`; the page never stops answering meanwhile. A worker
 * that times out or fails is replaced by a fresh one for the next call (fresh memory: state set by `init` is
 * gone). Needs SharedArrayBuffer, so the page must be cross-origin isolated (served with
 * `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`).
 */
export function createWorkerLane(options: WorkerLaneOptions): Promise<Lane> {
  checkOptions('createWorkerLane', workerLaneOptionsSchema, options);
  const url = options.workerUrl ?? new URL('./lane-worker.js', import.meta.url);
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!sharedMemoryAllowed()) {
    return Promise.reject(
      new PlinthError(
        'load_failed',
        'createWorkerLane needs SharedArrayBuffer, which this page may not use: serve it cross-origin isolated (Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp), or use the in-thread lane with fuel',
      ),
    );
  }
  return openWorkerLane(options, (data, events) => new WebWorkerThread(url, maxMessageBytes, data, events));
}

/** A lane factory for `openPlugin`'s `lane` with the page's settings, e.g. `workerLane({ workerUrl })`. */
export function workerLane(settings: WorkerLaneSettings = {}): LaneFactory {
  checkOptions('workerLane', workerLaneSettingsSchema, settings);
  return (options) => createWorkerLane({ ...options, ...settings });
}

function sharedMemoryAllowed(): boolean {
  const scope = globalThis as { crossOriginIsolated?: boolean };
  return typeof SharedArrayBuffer === 'function' && scope.crossOriginIsolated !== false;
}
