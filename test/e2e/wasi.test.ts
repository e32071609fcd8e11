import { readFileSync } from 'node:fs';
import { createAllowAllChecker, createPolicyChecker, type PermissionChecker } from '@plinth/permissions';
import { openPlugin, type GenericPlugin } from '@plinth/runtime';
import { createIsolatedLane } from '@plinth/runtime/node';
import { createWasiBundle } from '@plinth/host-node/wasi';
import { afterEach, describe, expect, it } from 'vitest';

// No golden guest calls host_run_wasi_module, so a tiny plain Extism guest (WAT, beside the WASI test
// modules) forwards its input to it and outputs the answer: the real lanes, bridge and wire in between.
const FIXTURES = new URL('../../packages/host-node/src/wasi/__fixtures__/', import.meta.url);
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`${name}.wasm`, FIXTURES)));
const storage = new Map([
  ['acme.tools:tools/echo.wasm', fixture('echo')],
  ['acme.tools:tools/copy.wasm', fixture('copy')],
  ['acme.tools:tools/loop.wasm', fixture('loop')],
]);
const b64 = (text: string) => Buffer.from(text).toString('base64');

const open: GenericPlugin[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((plugin) => plugin.close()));
});

async function load(options: { isolated: boolean; permissions?: PermissionChecker; timeoutMs?: number }) {
  const plugin = await openPlugin({
    source: { bytes: fixture('guest-run-wasi') },
    pluginId: 'acme.tools',
    bundle: createWasiBundle({
      permissions: options.permissions ?? createAllowAllChecker(),
      readModule: (pluginId, key) => storage.get(`${pluginId}:${key}`),
      timeoutMs: options.timeoutMs ?? 5_000,
    }),
    ...(options.isolated ? { lane: createIsolatedLane } : {}),
  });
  open.push(plugin);
  return async (request: unknown) =>
    JSON.parse((await plugin.callText('run', JSON.stringify(request))) ?? 'null') as unknown;
}

describe('host_run_wasi_module through a real guest', () => {
  it('runs a stored WASI module in the isolated lane: stdin, stdout, stderr, files', async () => {
    const run = await load({ isolated: true });
    expect(await run({ module_key: 'tools/echo.wasm', stdin: b64('through the guest') })).toEqual({
      exit_code: 0,
      stdout: b64('through the guest'),
      stderr: 'echo done\n',
    });
    expect(
      await run({
        module_key: 'tools/copy.wasm',
        files: { 'in.txt': b64('abc') },
        output_files: ['out.txt'],
      }),
    ).toEqual({ exit_code: 0, stdout: '', stderr: '', files: { 'out.txt': b64('abc') } });
  });

  it("reads only the calling plugin's storage, and a module timeout leaves the guest running", async () => {
    const run = await load({ isolated: true, timeoutMs: 300 });
    const failure = (message: string) => ({
      exit_code: -1,
      stdout: '',
      stderr: `host_run_wasi_module: ${message}`,
      error: `host_run_wasi_module: ${message}`,
    });
    expect(await run({ module_key: 'acme.tools:tools/echo.wasm' })).toEqual(
      failure('module "acme.tools:tools/echo.wasm" not found in plugin storage'),
    );
    expect(await run({ module_key: 'tools/loop.wasm' })).toEqual(
      failure('timed out after 300 ms (timeoutMs); the module was stopped'),
    );
    expect(await run({ module_key: 'tools/echo.wasm', stdin: b64('still here') })).toMatchObject({
      stdout: b64('still here'),
    });
  });

  it('answers a denial in the W shape', async () => {
    const permissions = createPolicyChecker({
      policy: {
        plugins: { 'acme.tools': { permissions: { plugin_storage: { include: [], exclude: ['all'] } } } },
      },
    });
    const run = await load({ isolated: true, permissions });
    const message =
      "host_run_wasi_module: Permission denied for plugin 'acme.tools': plugin_storage on 'tools/echo.wasm'";
    expect(await run({ module_key: 'tools/echo.wasm' })).toEqual({
      exit_code: -1,
      stdout: '',
      stderr: message,
      error: message,
    });
  });

  it('in the in-thread lane, which cannot wait, the async handler answers an internal error', async () => {
    const run = await load({ isolated: false });
    const message = 'host_run_wasi_module: internal error in the host';
    expect(await run({ module_key: 'tools/echo.wasm' })).toEqual({
      exit_code: -1,
      stdout: '',
      stderr: message,
      error: message,
    });
  });
});
