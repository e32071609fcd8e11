// @plinth/runtime/browser: the parts of the runtime that need a browser (Web Workers).
export {
  createWorkerLane,
  workerLane,
  DEFAULT_MAX_MESSAGE_BYTES,
  type WorkerLaneOptions,
  type WorkerLaneSettings,
} from './worker-lane.js';
