import { readFileSync } from 'node:fs';
import type { ResourceLimits } from 'node:worker_threads';
import { PlinthError } from '@plinth/protocol';
import { resolveLimits, type PluginLimits } from '../../limits.js';
import { createIsolatedLane } from '../isolated-lane.js';

/**
 * Runs calls on an isolated lane in a process of its own, for tests of guests that could abort the whole
 * process: the test spawns this script and reads one JSON line per call from its stdout, so an abort fails
 * the test instead of killing the test runner.
 */
export interface IsolatedCallsScript {
  wasmPath: string;
  calls: string[];
  limits?: Partial<PluginLimits>;
  resourceLimits?: ResourceLimits;
  config?: Record<string, string>;
}

export type CallOutcome =
  | { outcome: 'output'; text: string | null }
  | { outcome: 'error'; code: string; limit: string | null; message: string };

const scriptPath = process.argv[2];
if (!scriptPath) throw new Error('usage: run-isolated-calls <script.json>');
const script = JSON.parse(readFileSync(scriptPath, 'utf8')) as IsolatedCallsScript;
const lane = await createIsolatedLane({
  module: new WebAssembly.Module(readFileSync(script.wasmPath)),
  bundle: {},
  limits: resolveLimits({ timeoutMs: 60_000, ...script.limits }),
  ...(script.config ? { config: script.config } : {}),
  ...(script.resourceLimits ? { resourceLimits: script.resourceLimits } : {}),
});
const context = { pluginId: 'acme.hostile', pluginVersion: '0.1.0' };
for (const exportName of script.calls) {
  let outcome: CallOutcome;
  try {
    const { output } = await lane.call(exportName, '', { ...context, exportName });
    outcome = { outcome: 'output', text: output ? new TextDecoder().decode(output) : null };
  } catch (error) {
    if (!PlinthError.isInstance(error)) throw error;
    const limit = error.context.limit ?? null;
    outcome = { outcome: 'error', code: error.code, limit, message: error.message };
  }
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}
await lane.close();
