export * from './plugin-harness.js';
export * from './transcript.js';
export * from './replay.js';
