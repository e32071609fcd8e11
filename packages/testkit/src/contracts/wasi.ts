import { createPolicyChecker, type PermissionChecker } from '@plinth/permissions';
import { getHostFunction } from '@plinth/protocol';
import {
  createWasiBundle,
  type HostBundle,
  type WasiBundleOptions,
  type WasiRun,
  type WasiRunFailure,
  type WasiRunner,
  type WasiRunOutput,
} from '@plinth/host-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WASI_CONTRACT_MODULE_NAMES, type WasiContractModule } from './wasi-modules.js';
import { callWire } from './wire.js';

/** A backend under test: its runner, and the contract modules as it runs them. */
export interface WasiContractSubject {
  runner: WasiRunner;
  /**
   * Each contract module's bytes: compiled from `WASI_CONTRACT_WAT` for a runner on a real engine, or
   * `wasiContractStandIn(name)` for a twin that plays them (`playWasiContractModule`).
   */
  modules: Readonly<Record<WasiContractModule, Uint8Array>>;
  /** Frees the runner; called once, after the suite. */
  close?: () => void | Promise<void>;
}

/** The plugin id the WASI suite calls as. */
export const WASI_CONTRACT_PLUGIN_ID = 'contract.wasi';

const NAME = 'host_run_wasi_module';
const OTHER_PLUGIN = 'contract.other';
const encoder = new TextEncoder();
const b64 = (text: string) => btoa(String.fromCharCode(...encoder.encode(text)));
const key = (name: string) => `tools/${name}.wasm`;

/** The W failure shape, as the guest reads it. */
const shapeW = (message: string) => ({
  exit_code: -1,
  stdout: '',
  stderr: `${NAME}: ${message}`,
  error: `${NAME}: ${message}`,
});

/**
 * The shared WASI contract: any runner, put behind `createWasiBundle`, must give guests exactly these
 * answers. The suite stores the contract modules in the calling plugin's storage (under
 * `tools/<name>.wasm`) and records every run, result and storage read.
 */
export function describeWasiContract(
  label: string,
  makeSubject: () => WasiContractSubject | Promise<WasiContractSubject>,
): void {
  describe(`host_run_wasi_module contract: ${label}`, () => {
    let subject: WasiContractSubject;
    let runs: WasiRun[];
    let results: (WasiRunOutput | WasiRunFailure)[];
    let reads: [pluginId: string, key: string][];
    let stored: Map<string, Uint8Array>;

    beforeAll(async () => {
      subject = await makeSubject();
      stored = new Map<string, Uint8Array>();
      for (const name of WASI_CONTRACT_MODULE_NAMES) {
        stored.set(`${WASI_CONTRACT_PLUGIN_ID}\0${key(name)}`, subject.modules[name]);
      }
      stored.set(`${WASI_CONTRACT_PLUGIN_ID}\0${key('garbage')}`, encoder.encode('not wasm'));
      stored.set(`${OTHER_PLUGIN}\0${key('secret')}`, subject.modules.echo);
    });
    afterAll(async () => {
      await subject.close?.();
    });

    const bundle = (options: Partial<WasiBundleOptions> = {}): HostBundle => {
      runs = [];
      results = [];
      reads = [];
      const recording: WasiRunner = {
        async run(run) {
          runs.push(run);
          const result = await subject.runner.run(run);
          results.push(result);
          return result;
        },
      };
      return createWasiBundle({
        runner: recording,
        readModule: (pluginId, moduleKey) => {
          reads.push([pluginId, moduleKey]);
          return stored.get(`${pluginId}\0${moduleKey}`);
        },
        permissions: createPolicyChecker({ policy: { plugins: {} } }),
        timeoutMs: 5_000,
        ...options,
      });
    };
    const call = async (input: unknown, options?: Partial<WasiBundleOptions>) =>
      JSON.parse(await callWire(bundle(options), NAME, input, WASI_CONTRACT_PLUGIN_ID)) as Record<
        string,
        unknown
      >;

    it('echoes stdin to stdout and writes stderr; the run gets argv[0] = module_key, no env, the limits', async () => {
      const answer = await call({ module_key: key('echo'), stdin: b64('hello wasi\n') });
      expect(answer).toEqual({ exit_code: 0, stdout: b64('hello wasi\n'), stderr: 'echo done\n' });
      const { success } = getHostFunction(NAME);
      expect(success.kind === 'json' && success.schema.safeParse(answer).success).toBe(true);
      expect(reads).toEqual([[WASI_CONTRACT_PLUGIN_ID, key('echo')]]);
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({
        moduleKey: key('echo'),
        args: [key('echo')],
        env: {},
        timeoutMs: 5_000,
        memoryMaxPages: 256,
        maxOutputBytes: 16 * 1024 * 1024,
      });
      expect([...(runs[0]?.stdin ?? [])]).toEqual([...encoder.encode('hello wasi\n')]);
    });

    it('passes argv in order after the module key and answers the exit code, with no files unless asked', async () => {
      const args = await call({ module_key: key('args'), args: ['--flag', 'two words', 'Zoë'] });
      expect(args).toEqual({
        exit_code: 4,
        stdout: b64(`${key('args')}\n--flag\ntwo words\nZoë\n`),
        stderr: '',
      });
      expect(await call({ module_key: key('exit7') })).toEqual({ exit_code: 7, stdout: '', stderr: '' });
    });

    it('writes input files first and reads back the output files that exist, as the guest spelled them', async () => {
      const answer = await call({
        module_key: key('copy'),
        files: { '/in.txt': b64('copied bytes'), 'nested/deeper/x.bin': b64('x') },
        output_files: ['out.txt', '/nested/deeper/x.bin', 'never-written.txt'],
      });
      expect(answer).toEqual({
        exit_code: 0,
        stdout: '',
        stderr: '',
        files: { 'out.txt': b64('copied bytes'), '/nested/deeper/x.bin': b64('x') },
      });
      expect(runs[0]?.files).toEqual(
        new Map([
          ['in.txt', encoder.encode('copied bytes')],
          ['nested/deeper/x.bin', encoder.encode('x')],
        ]),
      );
      expect(runs[0]?.outputFiles).toEqual(
        new Map([
          ['out.txt', 'out.txt'],
          ['/nested/deeper/x.bin', 'nested/deeper/x.bin'],
          ['never-written.txt', 'never-written.txt'],
        ]),
      );
      // The sandbox starts empty but for the input files: without in.txt the copy fails with ENOENT.
      expect(await call({ module_key: key('copy'), output_files: [] })).toEqual({
        exit_code: 144,
        stdout: '',
        stderr: '',
        files: {},
      });
    });

    it.each([
      ['../outside.txt', 'it contains a ".." segment'],
      ['a/../../b', 'it contains a ".." segment'],
      ['a\\..\\b', 'it contains a backslash (use /)'],
      ['a\u0000b', 'it contains a NUL character'],
      ['/', 'it names the sandbox root, not a file'],
    ])('refuses the path %j before reading or running anything', async (path, why) => {
      expect(await call({ module_key: key('copy'), files: { [path]: b64('x') } })).toEqual(
        shapeW(`input file path ${JSON.stringify(path)} is refused: ${why}`),
      );
      expect([reads, runs]).toEqual([[], []]);
      expect(await call({ module_key: key('copy'), output_files: [path] })).toEqual(
        shapeW(`output file path ${JSON.stringify(path)} is refused: ${why}`),
      );
      expect([reads, runs]).toEqual([[], []]);
    });

    it('refuses a NUL in an argument before reading or running anything', async () => {
      expect(await call({ module_key: key('echo'), args: ['ok', 'a\u0000b'] })).toEqual(
        shapeW('args[1] contains a NUL character'),
      );
      expect(reads).toEqual([]);
      expect(runs).toEqual([]);
    });

    it("reads the calling plugin's storage only, and answers a missing module", async () => {
      expect(await call({ module_key: key('secret') })).toEqual(
        shapeW(`module "${key('secret')}" not found in plugin storage`),
      );
      expect(reads).toEqual([[WASI_CONTRACT_PLUGIN_ID, key('secret')]]);
      expect(runs).toEqual([]);
    });

    it('refuses a module over moduleMaxBytes before running it', async () => {
      const size = subject.modules.exit7.length;
      expect(await call({ module_key: key('exit7') }, { moduleMaxBytes: size - 1 })).toEqual(
        shapeW(`module "${key('exit7')}" is ${size} bytes, more than the limit of ${size - 1}`),
      );
      expect(runs).toEqual([]);
      expect((await call({ module_key: key('exit7') }, { moduleMaxBytes: size })).exit_code).toBe(7);
    });

    it('answers bytes that are not WebAssembly as an invalid module, in the W shape', async () => {
      const answer = await call({ module_key: key('garbage') });
      expect(answer).toMatchObject({ exit_code: -1, stdout: '' });
      expect(answer['error']).toMatch(
        new RegExp(`^${NAME}: module "${key('garbage')}" is not valid WebAssembly: .+`),
      );
      expect(results.map((result) => ('failure' in result ? result.failure : 'output'))).toEqual([
        'invalid_module',
      ]);
    });

    it('answers a trap in the W shape', async () => {
      const answer = await call({ module_key: key('trap') });
      expect(answer).toMatchObject({ exit_code: -1, stdout: '' });
      expect(answer['error']).toMatch(new RegExp(`^${NAME}: the module trapped: .+`));
      expect(results.map((result) => ('failure' in result ? result.failure : 'output'))).toEqual(['trap']);
    });

    it('stops a module that never returns at timeoutMs, and serves the next run', async () => {
      expect(await call({ module_key: key('loop') }, { timeoutMs: 300 })).toEqual(
        shapeW('timed out after 300 ms (timeoutMs); the module was stopped'),
      );
      expect((await call({ module_key: key('exit7') }, { timeoutMs: 300 })).exit_code).toBe(7);
    });

    it("caps the module's memory at memoryMaxPages", async () => {
      expect((await call({ module_key: key('grow') }, { memoryMaxPages: 4 })).exit_code).toBe(4);
      expect(runs[0]?.memoryMaxPages).toBe(4);
    });

    it('refuses output over maxOutputBytes, naming the output that crossed it', async () => {
      expect(await call({ module_key: key('echo'), stdin: b64('too long') }, { maxOutputBytes: 4 })).toEqual(
        shapeW('stdout makes the output larger than the limit of 4 bytes (maxOutputBytes)'),
      );
      // The runner itself stops at the limit (it must not read more into memory than it may answer).
      expect(results.map((result) => ('failure' in result ? result.failure : 'output'))).toEqual([
        'output_too_large',
      ]);
      // stdout is empty and stderr short, so the copied file is what crosses 8 bytes.
      expect(
        await call(
          { module_key: key('copy'), files: { 'in.txt': b64('copied bytes') }, output_files: ['out.txt'] },
          { maxOutputBytes: 8 },
        ),
      ).toEqual(
        shapeW('output file "out.txt" makes the output larger than the limit of 8 bytes (maxOutputBytes)'),
      );
      expect(runs[0]?.maxOutputBytes).toBe(8);
      expect(results.map((result) => ('failure' in result ? result.failure : 'output'))).toEqual([
        'output_too_large',
      ]);
    });

    it('checks plugin_storage on module_key first: a denial in the W shape, nothing read or run', async () => {
      const permissions: PermissionChecker = createPolicyChecker({
        policy: {
          plugins: {
            [WASI_CONTRACT_PLUGIN_ID]: { permissions: { plugin_storage: { include: [], exclude: ['all'] } } },
          },
        },
      });
      const message = permissions.check({
        pluginId: WASI_CONTRACT_PLUGIN_ID,
        type: 'plugin_storage',
        target: key('echo'),
      }).message;
      expect(message).toMatch(
        /^Permission denied for plugin 'contract\.wasi': plugin_storage on 'tools\/echo\.wasm'/,
      );
      expect(await call({ module_key: key('echo') }, { permissions })).toEqual(shapeW(message));
      expect(reads).toEqual([]);
      expect(runs).toEqual([]);
    });

    it('answers malformed requests in the W shape, before reading anything', async () => {
      for (const request of [
        { module_key: '' },
        { module_key: key('echo'), stdin: '***' },
        { module_key: key('echo'), args: 'not a list' },
        { module_key: key('echo'), files: { 'in.txt': '%%' } },
        '{not json',
      ]) {
        const answer = await call(request);
        expect(answer).toMatchObject({ exit_code: -1, stdout: '' });
        expect(answer['error']).toMatch(new RegExp(`^${NAME}: .+`));
        expect(answer['stderr']).toBe(answer['error']);
        expect([reads, runs]).toEqual([[], []]);
      }
    });
  });
}
