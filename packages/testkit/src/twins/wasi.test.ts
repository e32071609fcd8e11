import type { WasiRun } from '@plinth/host-kit';
import { describe, expect, it } from 'vitest';
import { createScriptedWasiRunner } from './wasi.js';

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const encoder = new TextEncoder();

const run = (overrides: Partial<WasiRun> = {}): WasiRun => ({
  module: new Uint8Array(HEADER),
  moduleKey: 'tools/a.wasm',
  args: ['tools/a.wasm'],
  env: {},
  stdin: new Uint8Array(),
  files: new Map(),
  outputFiles: new Map(),
  timeoutMs: 1_000,
  memoryMaxPages: 16,
  maxOutputBytes: 1_024,
  ...overrides,
});

describe('createScriptedWasiRunner', () => {
  it('matches a script by key, by pattern or by bytes, first match first, and records every run', async () => {
    const bytes = new Uint8Array([...HEADER, 7]);
    const runner = createScriptedWasiRunner([
      { module: 'tools/a.wasm', respond: { exitCode: 1 } },
      { module: /^tools\//, respond: { exitCode: 2 } },
      { module: bytes, respond: (scripted) => ({ exitCode: scripted.memoryMaxPages }) },
    ]);
    expect(await runner.run(run())).toMatchObject({ exitCode: 1 });
    expect(await runner.run(run({ moduleKey: 'tools/b.wasm' }))).toMatchObject({ exitCode: 2 });
    expect(await runner.run(run({ moduleKey: 'other.wasm', module: bytes }))).toMatchObject({ exitCode: 16 });
    expect(await runner.run(run({ moduleKey: 'other.wasm' }))).toEqual({
      failure: 'failed',
      message: 'module "other.wasm" has no script in this twin',
    });
    expect(runner.runs.map((entry) => entry.moduleKey)).toEqual([
      'tools/a.wasm',
      'tools/b.wasm',
      'other.wasm',
      'other.wasm',
    ]);
  });

  it('refuses bytes that are not WebAssembly before any script sees them', async () => {
    const runner = createScriptedWasiRunner([{ module: /./, respond: { exitCode: 0 } }]);
    expect(await runner.run(run({ module: encoder.encode('nope') }))).toMatchObject({
      failure: 'invalid_module',
      message: expect.stringMatching(/^module "tools\/a\.wasm" is not valid WebAssembly: /),
    });
  });

  it('reads back input files and files the script wrote, within the output budget', async () => {
    const runner = createScriptedWasiRunner([
      { module: 'tools/a.wasm', respond: { stdout: 'ok', files: { 'out.txt': 'written' } } },
    ]);
    const outputFiles = new Map([
      ['/out.txt', 'out.txt'],
      ['in.txt', 'in.txt'],
      ['missing.txt', 'missing.txt'],
    ]);
    const files = new Map([['in.txt', encoder.encode('input')]]);
    const answer = await runner.run(run({ files, outputFiles }));
    expect(answer).toEqual({
      exitCode: 0,
      stdout: encoder.encode('ok'),
      stderr: new Uint8Array(),
      files: new Map([
        ['/out.txt', encoder.encode('written')],
        ['in.txt', encoder.encode('input')],
      ]),
    });
    expect(await runner.run(run({ files, outputFiles, maxOutputBytes: 8 }))).toEqual({
      failure: 'output_too_large',
      message: 'output file "/out.txt" makes the output larger than the limit of 8 bytes (maxOutputBytes)',
    });
  });

  it('answers timeout for a script that outlasts timeoutMs', async () => {
    const runner = createScriptedWasiRunner([
      { module: 'tools/a.wasm', respond: () => new Promise(() => {}) },
    ]);
    expect(await runner.run(run({ timeoutMs: 20 }))).toMatchObject({ failure: 'timeout' });
  });

  it('refuses a script that names no module, naming the option', () => {
    expect(() => createScriptedWasiRunner([{ respond: {} } as never])).toThrow(
      expect.objectContaining({ code: 'invalid_options', message: expect.stringMatching(/module/) }),
    );
  });
});
