import { SERVICE_METHODS, serveBundleCall, type WasiRun, type WasiRunner } from '@plinth/host-kit';
import { createAllowAllChecker } from '@plinth/permissions';
import { OptionsError, PlinthError } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { createBrowserHost, createBrowserWasiRunner, type BrowserHostStores } from '../index.js';

// What needs no browser: option checks, the module checks made on the page before any worker starts, and
// how createBrowserHost composes a runner. Runs in workers are tested in Chromium
// (test/browser/host-browser-contracts.test.ts and host-browser.test.ts).

const encoder = new TextEncoder();
/** A module's bytes: the WebAssembly header and the sections given. */
const wasm = (...sections: number[][]) =>
  new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sections.flat()]);
const section = (id: number, ...content: number[]) => [id, content.length, ...content];
const name = (text: string) => [text.length, ...encoder.encode(text)];
// (memory 1) exported as "memory", and nothing else: not a command.
const MEMORY_ONLY = wasm(section(5, 1, 0x00, 1), section(7, 1, ...name('memory'), 0x02, 0));
// (import "env" "f" (func)) and a type for it.
const FOREIGN_IMPORT = wasm(section(1, 1, 0x60, 0, 0), section(2, 1, ...name('env'), ...name('f'), 0x00, 0));

const run = (module: Uint8Array): WasiRun => ({
  module,
  moduleKey: 'tools/x.wasm',
  args: ['tools/x.wasm'],
  env: {},
  stdin: new Uint8Array(),
  files: new Map(),
  outputFiles: new Map(),
  timeoutMs: 1000,
  memoryMaxPages: 16,
  maxOutputBytes: 1024,
});

describe('createBrowserWasiRunner', () => {
  it('checks its options', () => {
    let thrown: unknown;
    try {
      createBrowserWasiRunner({ workerUrl: '', maxSandboxBytes: 0, stdout: true } as never);
    } catch (error) {
      thrown = error;
    }
    expect(OptionsError.isInstance(thrown) && thrown.code).toBe('invalid_options');
    expect((thrown as Error).message).toMatch(
      /^createBrowserWasiRunner: option `workerUrl` must be the worker script URL .*; option `maxSandboxBytes` must be a positive whole number .*; option `stdout` is unknown/,
    );
  });

  it('answers a module that is not a WASI command on the page, before starting a worker', async () => {
    // Node has no Worker: a run that got as far as starting one would answer that it could not.
    const runner = createBrowserWasiRunner({ workerUrl: 'https://example.test/wasi-worker.js' });
    expect(await runner.run(run(encoder.encode('not wasm')))).toEqual({
      failure: 'invalid_module',
      message: expect.stringMatching(/^module "tools\/x\.wasm" is not valid WebAssembly: /) as unknown,
    });
    expect(await runner.run(run(MEMORY_ONLY))).toEqual({
      failure: 'invalid_module',
      message: 'module "tools/x.wasm" is not a WASI command: it exports no _start',
    });
    expect(await runner.run(run(FOREIGN_IMPORT))).toEqual({
      failure: 'invalid_module',
      message: 'module "tools/x.wasm" imports env.f; only wasi_snapshot_preview1 functions are provided',
    });
  });
});

describe('createBrowserHost with a WASI runner', () => {
  const stored = new Map<string, Uint8Array>([['acme.tools\0tools/x.wasm', MEMORY_ONLY]]);
  const stores: BrowserHostStores = {
    storage: {
      get: (pluginId, key) => stored.get(`${pluginId}\0${key}`),
      set: () => undefined,
      delete: () => false,
    },
    secrets: { get: () => undefined, set: () => undefined, delete: () => false },
    namespaces: Object.fromEntries(
      SERVICE_METHODS.namespaces.map((method) => [method, () => undefined]),
    ) as unknown as BrowserHostStores['namespaces'],
  };
  const permissions = createAllowAllChecker();

  it('refuses wasiLimits without a runner, which would otherwise be ignored', () => {
    let thrown: unknown;
    try {
      createBrowserHost({ permissions, stores, wasiLimits: { timeoutMs: 100 } });
    } catch (error) {
      thrown = error;
    }
    expect(PlinthError.isInstance(thrown) && thrown.code).toBe('invalid_options');
    expect((thrown as Error).message).toBe(
      'createBrowserHost: option `wasiLimits` needs `wasi` (a WasiRunner, e.g. createBrowserWasiRunner())',
    );
  });

  it("serves host_run_wasi_module with modules from the plugin's storage, under wasiLimits", async () => {
    const runs: WasiRun[] = [];
    const wasi: WasiRunner = {
      run: (given) => {
        runs.push(given);
        return Promise.resolve({
          exitCode: 3,
          stdout: encoder.encode('hi'),
          stderr: new Uint8Array(),
          files: new Map(),
        });
      },
    };
    const host = createBrowserHost({
      permissions,
      stores,
      wasi,
      wasiLimits: { timeoutMs: 250, memoryMaxPages: 8 },
    });
    const row = host.coverage().find((entry) => entry.capability === 'wasi');
    expect(row).toMatchObject({ served: ['host_run_wasi_module'], missing: [] });
    const context = { pluginId: 'acme.tools', exportName: 'handle_command' };
    const call = (key: string) =>
      serveBundleCall(host.bundle, 'host_run_wasi_module', JSON.stringify({ module_key: key }), context);
    expect(await call('tools/x.wasm')).toMatchObject({
      outcome: 'ok',
      answer: JSON.stringify({ exit_code: 3, stdout: 'aGk=', stderr: '' }),
    });
    expect(runs).toMatchObject([
      { module: MEMORY_ONLY, moduleKey: 'tools/x.wasm', timeoutMs: 250, memoryMaxPages: 8 },
    ]);
    expect(JSON.parse((await call('tools/other.wasm')).answer as string)).toMatchObject({
      error: 'host_run_wasi_module: module "tools/other.wasm" not found in plugin storage',
    });
  });
});
