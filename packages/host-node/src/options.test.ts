import { createDenyAllChecker } from '@plinth/permissions';
import { OptionsError, type OptionsProblem } from '@plinth/protocol';
import { PluginRegistry } from '@plinth/runtime';
import { describe, expect, it } from 'vitest';
import { createBasicBundles, createEventEmitterBus, createJsonLogSink } from './basics/index.js';
import {
  installPlugin,
  loadPluginDirectory,
  loadPluginFromDirectory,
  pluginDirectoryEntry,
  pluginDirectoryOpener,
  uninstallPlugin,
  watchPluginsRoot,
} from './directory/index.js';
import { createFsBundle } from './fs/index.js';
import { createAddressPolicy, createNodeHttpBundle, createNodeHttpTransport } from './http/index.js';
import { policyFromFile, policyFromFrontMatter, savePolicyFile } from './policy/index.js';
import { createSqliteStorageBundle, openSqliteStores, openStorageDatabase } from './storage/index.js';
import { createNodeWasiRunner, createWasiBundle } from './wasi/index.js';
import { createNodeWsConnector, createWsBridge } from './ws/index.js';

const permissions = createDenyAllChecker();
const registry = new PluginRegistry();
const directory = { root: '/nonexistent/plugins', registry, hostAppVersion: '1.0.0', bundleFor: () => ({}) };

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

describe('every host-node factory checks its options before any I/O', () => {
  it.each<[string, () => unknown, OptionsProblem]>([
    [
      'createBasicBundles',
      () => call(createBasicBundles, { clock: { timeZone: 'Nowhere/Town' } }),
      {
        path: 'clock.timeZone',
        message: 'must be an IANA time zone such as "Europe/Berlin" (got "Nowhere/Town")',
      },
    ],
    [
      'createBasicBundles',
      () => call(createBasicBundles, { log: { ratePerSecnd: 5 } }),
      { path: 'log.ratePerSecnd', message: 'is unknown (did you mean `ratePerSecond`?)' },
    ],
    [
      'createJsonLogSink',
      () => call(createJsonLogSink, { stream: 'stderr' }),
      { path: 'stream', message: 'must be a writable stream (with write) (got "stderr")' },
    ],
    [
      'createEventEmitterBus',
      () => call(createEventEmitterBus, { eventName: '' }),
      { path: 'eventName', message: 'must be a non-empty string (got "")' },
    ],
    [
      'createAddressPolicy',
      () => call(createAddressPolicy, { allowPrivateHosts: 'localhost' }),
      { path: 'allowPrivateHosts', message: 'must be an array (got "localhost")' },
    ],
    [
      'createNodeHttpTransport',
      () => call(createNodeHttpTransport, { resolve: 'dns' }),
      { path: 'resolve', message: 'must be a DNS function (hostname) => addresses (got "dns")' },
    ],
    [
      'createNodeHttpBundle',
      () => call(createNodeHttpBundle, { permissions, network: { allowPrivateHost: ['localhost'] } }),
      { path: 'network.allowPrivateHost', message: 'is unknown (did you mean `allowPrivateHosts`?)' },
    ],
    [
      'createFsBundle',
      () => call(createFsBundle, { permissions }),
      { path: 'root', message: 'is required (a non-empty path)' },
    ],
    [
      'openStorageDatabase',
      () => call(openStorageDatabase, { path: ':memory:', busyTimeoutMs: -5 }),
      { path: 'busyTimeoutMs', message: 'must be a whole number of milliseconds (0 or more) (got -5)' },
    ],
    [
      'openSqliteStores',
      () => call(openSqliteStores, { file: 'x.db' }),
      { path: 'file', message: 'is unknown' },
    ],
    [
      'createSqliteStorageBundle',
      () => call(createSqliteStorageBundle, { permissions, stores: { path: 7 } }),
      { path: 'stores.path', message: 'must be a non-empty path (got 7)' },
    ],
    [
      'createWsBridge',
      () => call(createWsBridge, { permissions, deliver: () => {}, maxQueuedMessages: 0 }),
      { path: 'maxQueuedMessages', message: 'must be a positive whole number (got 0)' },
    ],
    [
      'createWasiBundle',
      () => call(createWasiBundle, { permissions }),
      { path: 'readModule', message: 'is required (a function (pluginId, key) => module bytes)' },
    ],
    [
      'createNodeWasiRunner',
      () => call(createNodeWasiRunner, { tempRoot: '' }),
      { path: 'tempRoot', message: 'must be a non-empty path (got "")' },
    ],
    [
      'createNodeWsConnector',
      () => call(createNodeWsConnector, { allowPrivateHosts: '127.0.0.1' }),
      { path: 'allowPrivateHosts', message: 'must be an array (got "127.0.0.1")' },
    ],
    [
      'pluginDirectoryOpener',
      () =>
        call(pluginDirectoryOpener, pluginDirectoryEntry('/nonexistent', 'acme.x'), {
          bundleFor: () => ({}),
        }),
      { path: 'hostAppVersion', message: 'is required (a semantic version such as "1.2.3")' },
    ],
    [
      'loadPluginDirectory',
      () => call(loadPluginDirectory, { ...directory, registry: {} }),
      { path: 'registry', message: 'must be a PluginRegistry (got {})' },
    ],
    [
      'loadPluginFromDirectory',
      () => call(loadPluginFromDirectory, directory),
      { path: 'id', message: 'is required (a string)' },
    ],
    [
      'watchPluginsRoot',
      () => call(watchPluginsRoot, { ...directory, debounceMs: -1 }),
      { path: 'debounceMs', message: 'must be a number of milliseconds (0 or more) (got -1)' },
    ],
    [
      'installPlugin',
      () =>
        call(installPlugin, { root: '/nonexistent', source: { file: 'x.wasm' }, hostAppVersion: '1.0.0' }),
      { path: 'source', message: 'must be a { path }, { url } or { bytes } source (got { file })' },
    ],
    [
      'uninstallPlugin',
      () => call(uninstallPlugin, { root: '/nonexistent' }),
      { path: 'id', message: 'is required (a string)' },
    ],
    [
      'policyFromFile',
      () => call(policyFromFile, '/nonexistent/policy.yaml', { watch: 'no' }),
      { path: 'options.watch', message: 'must be true or false (got "no")' },
    ],
    [
      'policyFromFrontMatter',
      () => call(policyFromFrontMatter, ''),
      { path: 'path', message: 'must be a non-empty path (got "")' },
    ],
    [
      'savePolicyFile',
      () => call(savePolicyFile, '/nonexistent/policy.yaml', { plugins: {} }, { format: 'yaml' }),
      { path: 'options.format', message: 'must be one of "document", "front-matter" (got "yaml")' },
    ],
  ])('%s', async (factory, make, problem) => {
    expect(await refused(factory, make)).toContainEqual(problem);
  });
});
