import { createDenyAllChecker } from '@plinth/permissions';
import { OptionsError, type OptionsProblem } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import {
  CancellationRegistry,
  createBasicBundle,
  createCancellationBundle,
  createClockBundle,
  createEventsBundle,
  createFilesBundle,
  createHttpBundle,
  createLogBundle,
  createNamespacesBundle,
  createPermissionGate,
  createRequestFileBundle,
  createRuntimeContextBundle,
  createSecretsBundle,
  createStorageBundle,
  RequestFileScope,
} from '@plinth/host-kit';
import { createHostFunctions } from '../host/host-functions.js';
import { createInThreadLane } from '../lanes/in-thread-lane.js';
import { DEFAULT_LIMITS, resolveLimits } from '../limits.js';
import { loadModule } from '../loader/load-module.js';
import { createIsolatedLane } from '../node/isolated-lane.js';
import { openPlugin, openProtocolPluginFrom } from '../open-plugin.js';
import { createPool } from '../pool/pool.js';
import { openProtocolPlugin } from '../protocol/protocol-plugin.js';
import { PluginRegistry } from '../registry/plugin-registry.js';

const permissions = createDenyAllChecker();
const bytes = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const module = new WebAssembly.Module(bytes);
const store = { get: () => undefined, set: () => {}, delete: () => false };

/** The OptionsError a factory throws (or rejects with) for bad options, after checking code and name. */
async function refused(factory: string, make: () => unknown): Promise<readonly OptionsProblem[]> {
  let outcome: unknown;
  try {
    outcome = await make();
  } catch (error) {
    if (!OptionsError.isInstance(error)) throw error;
    expect(error.code).toBe('invalid_options');
    expect(error.factory).toBe(factory);
    expect(error.message.startsWith(`${factory}: option`)).toBe(true);
    return error.problems;
  }
  throw new Error(`${factory} accepted the options and returned ${String(outcome)}`);
}

// Each factory called as a JavaScript caller could: nothing but the run-time check stands in the way.
const call = (factory: (...args: never[]) => unknown, ...args: unknown[]): unknown =>
  (factory as unknown as (...rest: unknown[]) => unknown)(...args);

describe('every runtime factory checks its options', () => {
  it.each<[string, () => unknown, OptionsProblem]>([
    [
      'resolveLimits',
      () => call(resolveLimits, { timeoutMs: 0 }),
      { path: 'timeoutMs', message: 'must be a whole number from 1 to 86400000 (got 0)' },
    ],
    [
      'openPlugin',
      () => call(openPlugin, { source: { bytes }, limits: { timeoutMs: -1 } }),
      { path: 'limits.timeoutMs', message: 'must be a whole number from 1 to 86400000 (got -1)' },
    ],
    [
      'openPlugin',
      () => call(openPlugin, { source: { path: 'a.wasm' } }),
      { path: 'source', message: 'must be a { bytes }, { module } or { url } source (got { path })' },
    ],
    [
      'openProtocolPluginFrom',
      () => call(openProtocolPluginFrom, { source: { bytes } }),
      { path: 'hostAppVersion', message: 'is required (a semantic version such as "1.2.3")' },
    ],
    [
      'ProtocolPlugin.open',
      () => call(openProtocolPlugin, { hostAppVersion: '1.0.0', initContext: {} }),
      { path: 'lane', message: 'is required (a Lane (with call, hasExport and close))' },
    ],
    [
      'loadModule',
      () => call(loadModule, { bytes }, { allowWasi: 'yes' }),
      { path: 'options.allowWasi', message: 'must be true or false (got "yes")' },
    ],
    [
      'createInThreadLane',
      () => call(createInThreadLane, { module, bundle: {}, limits: { ...DEFAULT_LIMITS, timeoutMs: 1.5 } }),
      { path: 'limits.timeoutMs', message: 'must be a whole number from 1 to 86400000 (got 1.5)' },
    ],
    [
      'createIsolatedLane',
      () =>
        call(createIsolatedLane, {
          module,
          bundle: {},
          limits: DEFAULT_LIMITS,
          resourceLimits: { stack: 1 },
        }),
      { path: 'resourceLimits.stack', message: 'is unknown' },
    ],
    [
      'createHostFunctions',
      () => call(createHostFunctions, { bundle: { host_raed_file: () => '' }, maxHostCallsPerCall: 10 }),
      { path: 'bundle.host_raed_file', message: 'is unknown (did you mean `host_read_file`?)' },
    ],
    [
      'PluginRegistry',
      () => new PluginRegistry({ failurePolicy: { action: 'restart' } } as never),
      {
        path: 'failurePolicy.action',
        message: 'must be one of "quarantine", "keep", "reload" (got "restart")',
      },
    ],
    [
      'createPool',
      () => call(createPool, { create: () => Promise.resolve({}) }),
      { path: 'destroy', message: 'is required (a function)' },
    ],
    [
      'createPermissionGate',
      () => call(createPermissionGate, { permissions, askUser: true }),
      { path: 'askUser', message: 'is unknown' },
    ],
    [
      'createFilesBundle',
      () => call(createFilesBundle, { permissions, files: {} }),
      {
        path: 'files',
        message: 'must be a WorkspaceFiles service (stat, read, hash, list, listDir, write, delete) (got {})',
      },
    ],
    [
      'createStorageBundle',
      () => call(createStorageBundle, { store }),
      { path: 'permissions', message: 'is required (a PermissionChecker (with check and checkAsync))' },
    ],
    [
      'createSecretsBundle',
      () => call(createSecretsBundle, { permissions, secrets: store, quotaFor: 1024 }),
      { path: 'quotaFor', message: 'must be a function (pluginId) => bytes (got 1024)' },
    ],
    [
      'createNamespacesBundle',
      () => call(createNamespacesBundle, { permissions, store: {}, ownerUserId: '' }),
      { path: 'store', message: 'must be a NamespaceStore (got {})' },
    ],
    [
      'createHttpBundle',
      () => call(createHttpBundle, { permissions, transport: { send: () => {} }, maxRedirects: -1 }),
      { path: 'maxRedirects', message: 'must be a whole number (0 or more) (got -1)' },
    ],
    [
      'createLogBundle',
      () => call(createLogBundle, { sink: () => {}, ratePerSecond: 0 }),
      { path: 'ratePerSecond', message: 'must be a positive number (got 0)' },
    ],
    [
      'createEventsBundle',
      () => call(createEventsBundle, { emit: () => {}, maxPayloadBytes: '64k' }),
      { path: 'maxPayloadBytes', message: 'must be a positive whole number (got "64k")' },
    ],
    [
      'createClockBundle',
      () => call(createClockBundle, { clock: Date.now }),
      { path: 'clock', message: 'must be a HostClock (with now) (got a function)' },
    ],
    [
      'createRuntimeContextBundle',
      () => call(createRuntimeContextBundle, { redactKeys: 'token' }),
      { path: 'redactKeys', message: 'must be an array (got "token")' },
    ],
    [
      'createRequestFileBundle',
      () => call(createRequestFileBundle, { files: new Map() }),
      { path: 'files', message: 'must be a function (context) => files (got a Map)' },
    ],
    [
      'createCancellationBundle',
      () => call(createCancellationBundle, {}),
      { path: 'isCancelled', message: 'is required (a function (token, context) => boolean)' },
    ],
    [
      'createBasicBundle',
      () =>
        call(createBasicBundle, {
          log: { sink: () => {}, now: Date.now },
          events: { emit: () => {} },
          requestFiles: new RequestFileScope(),
          cancellation: new CancellationRegistry(),
        }),
      { path: 'log.now', message: 'is unknown' },
    ],
  ])('%s', async (factory, make, problem) => {
    expect(await refused(factory, make)).toContainEqual(problem);
  });
});
