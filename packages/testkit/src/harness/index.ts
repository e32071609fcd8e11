// The plugin harness: a plugin on the twin host, its transcripts and their replay.
export {
  createPluginHarness,
  type HarnessPolicy,
  type HarnessRules,
  type HarnessWs,
  type PluginHarness,
  type PluginHarnessOptions,
} from './plugin-harness.js';
export {
  type HarnessCall,
  parseTranscript,
  type Transcript,
  TranscriptError,
  type TranscriptHostCall,
} from './transcript.js';
export { createReplayBundle, type ReplayBundle, type ReplayDivergence } from './replay.js';
export {
  createPluginCommandBundle,
  type CrossPluginRefusal,
  type HarnessNeighbour,
  harnessNeighbour,
  type PluginCommandBundleOptions,
} from './plugin-command.js';
