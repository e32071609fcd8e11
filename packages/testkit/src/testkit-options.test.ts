import { createDenyAllChecker } from '@plinth/permissions';
import { OptionsError, type OptionsProblem } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { runConformance } from './conformance/run-conformance.js';
import { createDirectPlugin } from './guests/direct-host.js';
import { createPluginCommandBundle } from './harness/plugin-command.js';
import { createPluginHarness } from './harness/plugin-harness.js';
import { createMemoryBasics } from './twins/basics.js';
import { createMemoryFsBundle, createMemoryWorkspaceFiles } from './twins/files.js';

const permissions = createDenyAllChecker();
const wasm = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** The OptionsError a factory throws (or rejects with) for bad options, after checking code and name. */
async function refused(factory: string, make: () => unknown): Promise<readonly OptionsProblem[]> {
  let outcome: unknown;
  try {
    outcome = await make();
  } catch (error) {
    if (!OptionsError.isInstance(error)) throw error;
    expect(error.code).toBe('invalid_options');
    expect(error.factory).toBe(factory);
    return error.problems;
  }
  throw new Error(`${factory} accepted the options and returned ${String(outcome)}`);
}

// Each factory called as a JavaScript caller could: nothing but the run-time check stands in the way.
const call = (factory: (...args: never[]) => unknown, ...args: unknown[]): unknown =>
  (factory as unknown as (...rest: unknown[]) => unknown)(...args);

describe('every testkit factory checks its options', () => {
  it.each<[string, () => unknown, OptionsProblem]>([
    [
      'createPluginHarness',
      () => call(createPluginHarness, { wasm, lane: 'worker' }),
      { path: 'lane', message: 'must be one of "in-thread", "isolated" (got "worker")' },
    ],
    [
      'createPluginHarness',
      () => call(createPluginHarness, { wasm, fuel: 'yes' }),
      { path: 'fuel', message: 'must be true or false (got "yes")' },
    ],
    [
      'createPluginHarness',
      () => call(createPluginHarness, { wasm, polcy: 'allow-all' }),
      { path: 'polcy', message: 'is unknown (did you mean `policy`?)' },
    ],
    [
      'createPluginCommandBundle',
      () =>
        call(createPluginCommandBundle, {
          permissions,
          neighbours: { 'acme.x': 'pong' },
          onRefusal: () => {},
        }),
      { path: 'neighbours["acme.x"]', message: 'must be a HarnessNeighbour function (got "pong")' },
    ],
    [
      'createMemoryFsBundle',
      () => call(createMemoryFsBundle, { permissions, initialFiles: { 'a.md': 1 } }),
      { path: 'initialFiles["a.md"]', message: 'must be text or bytes (got 1)' },
    ],
    [
      'createMemoryWorkspaceFiles',
      () => call(createMemoryWorkspaceFiles, {}, { now: 0 }),
      { path: 'options.now', message: 'must be a function returning ms since the epoch (got 0)' },
    ],
    [
      'createMemoryBasics',
      () => call(createMemoryBasics, { logRatePerSecond: -1 }),
      { path: 'logRatePerSecond', message: 'must be a positive number (got -1)' },
    ],
    [
      'runConformance',
      () => call(runConformance, { wasm, budgets: { callTimeoutMs: 0 } }),
      { path: 'budgets.callTimeoutMs', message: 'must be a positive whole number (got 0)' },
    ],
    [
      'runConformance',
      () => call(runConformance, { wasm, budgets: { fuelPerCall: 0.5 } }),
      { path: 'budgets.fuelPerCall', message: 'must be a whole number from 1 to 9007199254740991 (got 0.5)' },
    ],
    [
      'createDirectPlugin',
      () => call(createDirectPlugin, 'guest.wasm'),
      { path: 'wasm', message: 'must be module bytes (got "guest.wasm")' },
    ],
  ])('%s', async (factory, make, problem) => {
    expect(await refused(factory, make)).toContainEqual(problem);
  });
});
