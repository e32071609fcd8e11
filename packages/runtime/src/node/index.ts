/// <reference types="node" />
// @plinth/runtime/node: the parts of the runtime that need Node (worker threads).
export {
  createIsolatedLane,
  DEFAULT_WORKER_RESOURCE_LIMITS,
  type IsolatedHostBundle,
  type IsolatedLaneOptions,
} from './isolated-lane.js';
export { nodeWasi } from './node-wasi.js';
