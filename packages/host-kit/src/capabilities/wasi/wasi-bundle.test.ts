import { createAllowAllChecker, createDenyAllChecker, type PermissionChecker } from '@plinth/permissions';
import { getHostFunction, PlinthError } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { serveBundleCall } from '../../bundle/serve-host-call.js';
import { createWasiBundle, DEFAULT_WASI_LIMITS, type WasiBundleOptions } from './wasi-bundle.js';
import type { WasiRun, WasiRunner, WasiRunOutput } from './wasi-runner.js';
import { toSandboxPath } from './sandbox-path.js';

const NAME = 'host_run_wasi_module';
const context = { pluginId: 'acme.tools', exportName: 'handle_command' };
const encoder = new TextEncoder();
const MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** A runner answering one fixed result (or throwing it), recording the runs. */
function fixedRunner(answer: WasiRunOutput | Error) {
  const runs: WasiRun[] = [];
  const runner: WasiRunner = {
    run(run) {
      runs.push(run);
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
  return { runs, runner };
}

const output = (overrides: Partial<WasiRunOutput> = {}): WasiRunOutput => ({
  exitCode: 0,
  stdout: new Uint8Array(),
  stderr: new Uint8Array(),
  files: new Map(),
  ...overrides,
});

async function call(runner: WasiRunner, request: unknown, options: Partial<WasiBundleOptions> = {}) {
  const bundle = createWasiBundle({
    runner,
    readModule: () => MODULE,
    permissions: createAllowAllChecker(),
    ...options,
  });
  const served = await serveBundleCall(bundle, NAME, JSON.stringify(request), context);
  return JSON.parse(served.answer as string) as Record<string, unknown>;
}

const failure = (message: string) => JSON.parse(getHostFunction(NAME).failureOutput(message)) as unknown;

describe('createWasiBundle', () => {
  it('hands the runner the default limits, and decodes stderr as UTF-8', async () => {
    const { runs, runner } = fixedRunner(output({ exitCode: 2, stderr: encoder.encode('Zoë\n') }));
    expect(await call(runner, { module_key: 'm.wasm' })).toEqual({
      exit_code: 2,
      stdout: '',
      stderr: 'Zoë\n',
    });
    expect(runs[0]).toMatchObject({
      timeoutMs: DEFAULT_WASI_LIMITS.timeoutMs,
      memoryMaxPages: DEFAULT_WASI_LIMITS.memoryMaxPages,
      maxOutputBytes: DEFAULT_WASI_LIMITS.maxOutputBytes,
    });
  });

  it('answers only the output files the guest asked for, whatever else the runner answers', async () => {
    const files = new Map([
      ['out.txt', encoder.encode('yes')],
      ['extra.txt', encoder.encode('not asked for')],
    ]);
    const { runner } = fixedRunner(output({ files }));
    expect(await call(runner, { module_key: 'm.wasm', output_files: ['out.txt', 'gone.txt'] })).toEqual({
      exit_code: 0,
      stdout: '',
      stderr: '',
      files: { 'out.txt': 'eWVz' },
    });
  });

  it('holds a runner that ignores maxOutputBytes to the limit, naming what crossed it', async () => {
    const { runner } = fixedRunner(
      output({ stdout: encoder.encode('1234'), stderr: encoder.encode('5678') }),
    );
    expect(await call(runner, { module_key: 'm.wasm' }, { maxOutputBytes: 6 })).toEqual(
      failure('stderr makes the output larger than the limit of 6 bytes (maxOutputBytes)'),
    );
  });

  it('answers a runner that throws, and a storage read that throws, as failures', async () => {
    const { runner } = fixedRunner(new Error('engine exploded'));
    expect(await call(runner, { module_key: 'm.wasm' })).toEqual(
      failure('could not run module "m.wasm": engine exploded'),
    );
    const readModule = () => {
      throw new Error('disk on fire');
    };
    expect(await call(runner, { module_key: 'm.wasm' }, { readModule })).toEqual(
      failure('could not read module "m.wasm" from plugin storage: disk on fire'),
    );
  });

  it('answers an empty module as not found', async () => {
    const { runs, runner } = fixedRunner(output());
    expect(await call(runner, { module_key: 'm.wasm' }, { readModule: () => new Uint8Array() })).toEqual(
      failure('module "m.wasm" not found in plugin storage'),
    );
    expect(runs).toEqual([]);
  });

  it('waits for the ask checker when ask is set', async () => {
    const { runs, runner } = fixedRunner(output());
    // A checker that may only be asked asynchronously, as the ask checker is when the user decides.
    const denied = createDenyAllChecker();
    const permissions: PermissionChecker = {
      check: () => {
        throw new Error('ask: the bundle must use checkAsync');
      },
      checkAsync: (request) => Promise.resolve(denied.check(request)),
    };
    const bundle = createWasiBundle({ runner, readModule: () => MODULE, permissions, ask: true });
    const decoded = getHostFunction(NAME).decodeRequest('{"module_key":"m.wasm"}');
    if (!decoded.ok) throw decoded.error;
    const answer = bundle.host_run_wasi_module(decoded.value, context);
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toMatchObject({ failure: expect.stringMatching(/plugin_storage on 'm\.wasm'/) });
    expect(runs).toEqual([]);
  });

  it('refuses options without a runner, naming it', () => {
    expect(() =>
      createWasiBundle({ readModule: () => MODULE, permissions: createAllowAllChecker() } as never),
    ).toThrow(expect.objectContaining({ code: 'invalid_options', message: expect.stringMatching(/runner/) }));
    expect(() =>
      createWasiBundle({
        runner: fixedRunner(output()).runner,
        readModule: () => MODULE,
        permissions: createAllowAllChecker(),
        memoryMaxPages: 0,
      }),
    ).toThrow(PlinthError);
  });
});

describe('toSandboxPath', () => {
  it('treats /a and a alike and drops . segments', () => {
    expect(toSandboxPath('/a/./b//c')).toEqual({ ok: true, path: 'a/b/c' });
    expect(toSandboxPath('a')).toEqual({ ok: true, path: 'a' });
  });

  it('refuses .., NUL and backslashes rather than resolving them', () => {
    expect(toSandboxPath('a/../b')).toEqual({
      ok: false,
      message: 'path "a/../b" is refused: it contains a ".." segment',
    });
    expect(toSandboxPath('a\\b').ok).toBe(false);
    expect(toSandboxPath('a\0b').ok).toBe(false);
  });
});
