import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { guestPath } from '@plinth/guests';
import { main } from './cli.js';
import type { ConformanceReport } from './report.js';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

/** Fuel figures are exact and deterministic, but they change with the guest's build: tests read them back. */
const anyFuel = (text: string): string => text.replace(/ used \d+ /g, ' used N ');

const dir = mkdtempSync(join(tmpdir(), 'plinth-test-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('plinth-test', () => {
  it('prints one line per check and a summary, and exits 0 when everything passes', async () => {
    const wasm = guestPath('c-protocol');
    const { code, stdout, stderr } = await run(wasm);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(anyFuel(stdout).split('\n')).toEqual([
      `plinth-test ${wasm} (plinth-golden.c@1.0.0)`,
      '✓ manifest         loads, and its manifest is valid and consistent',
      '✓ commands         every declared command answers a valid CommandResponse',
      `    · no_host_call: command "ping" made no host call with its CLI hint's params, so no permission of it was checked; to test what it does with the host, give it params (--fixtures) and files (--files)`,
      `    · no_host_call: command "echo" made no host call with its CLI hint's params, so no permission of it was checked; to test what it does with the host, give it params (--fixtures) and files (--files)`,
      '✓ unknown-command  an undeclared command gets a well-formed failure',
      '✓ events           every host event type is survived',
      '✓ config           config round-trips through get_config and set_config',
      '✓ permissions      host calls stay within the requested permissions',
      '✓ budgets          stays within the fuel, time and memory budgets',
      '    · memory: the module declares a memory maximum of 16 pages (1 MiB), within the budget of 256 pages (16 MiB)',
      '    · lane: the plugin ran metered on the in-thread lane, so fuel enforced the call budget of 100000000 fuel (the 2000 ms wall-clock budget applies on the isolated lane only)',
      '    · fuel: command "ping" used N fuel (budget 100000000)',
      '    · fuel: command "echo" used N fuel (budget 100000000)',
      '    · fuel: command "greet" used N fuel (budget 100000000)',
      '    · fuel: command "time" used N fuel (budget 100000000)',
      '✓ reload           survives shutdown and a fresh load',
      'PASS: 8 passed, 0 failed, 0 skipped, 0 warnings',
      '',
    ]);
  });

  it('uses --fixtures for command params', async () => {
    const fixtures = file('fixtures.json', JSON.stringify({ greet: {} }));
    const { code, stdout } = await run(guestPath('c-protocol'), '--fixtures', fixtures, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as ConformanceReport;
    const findings = report.checks.find((check) => check.id === 'commands')?.findings ?? [];
    expect(findings.filter((f) => f.code !== 'no_host_call')).toEqual([
      {
        code: 'command_error',
        severity: 'info',
        message: 'command "greet" answered success:false: greet: params.name is required (invalid_params)',
        detail: { params: {} },
      },
    ]);
    // greet answered before its host_log call, and says so with the fixture as the source of its params.
    expect(
      findings.find(
        (f) => f.code === 'no_host_call' && (f.detail as { command: string }).command === 'greet',
      ),
    ).toEqual({
      code: 'no_host_call',
      severity: 'info',
      message:
        'command "greet" made no host call with its fixture params, so no permission of it was checked',
      detail: { command: 'greet', params: {}, paramsFrom: 'fixtures' },
    });
  });

  it('says which commands made no host call, so the author knows what the permissions check never saw', async () => {
    const wasm = guestPath('hostile-command-recursion');
    const alone = JSON.parse((await run(wasm, '--json')).stdout) as ConformanceReport;
    expect(alone.checks.find((check) => check.id === 'commands')?.findings[0]).toEqual({
      code: 'no_host_call',
      severity: 'info',
      message:
        'command "bounce" made no host call with null params (no fixture, no CLI hint), so no permission of it was checked; to test what it does with the host, give it params (--fixtures) and files (--files)',
      detail: { command: 'bounce', params: null, paramsFrom: 'none' },
    });
    // With params it calls host_plugin_command, and the note is gone.
    const fixtures = file('bounce-alone.json', JSON.stringify({ bounce: { target: 'acme.other' } }));
    const fed = JSON.parse((await run(wasm, '--fixtures', fixtures, '--json')).stdout) as ConformanceReport;
    const codes = fed.checks.find((check) => check.id === 'commands')?.findings.map((f) => f.code);
    expect(codes).not.toContain('no_host_call');
  });

  it('seeds the workspace from --files, so a command can read what the fixtures name', async () => {
    const workspace = join(dir, 'workspace');
    mkdirSync(join(workspace, 'Notes'), { recursive: true });
    mkdirSync(join(workspace, 'Empty'));
    writeFileSync(join(workspace, 'Notes', 'a.md'), 'one two three #idea');
    const fixtures = file('notes.json', JSON.stringify({ word_count: { path: 'Notes/a.md' } }));
    const errorsOf = (report: ConformanceReport) =>
      report.checks
        .find((check) => check.id === 'commands')
        ?.findings.filter((f) => f.code === 'command_error')
        .map((f) => f.message);

    const without = await run(guestPath('as-notes'), '--fixtures', fixtures, '--json');
    expect(errorsOf(JSON.parse(without.stdout) as ConformanceReport)).toEqual([
      expect.stringMatching(/^command "word_count" answered success:false: host_read_file: .*Notes\/a\.md/),
    ]);
    const seeded = await run(guestPath('as-notes'), '--fixtures', fixtures, '--files', workspace, '--json');
    expect(seeded.code).toBe(0);
    const report = JSON.parse(seeded.stdout) as ConformanceReport;
    expect(errorsOf(report)).toEqual([]);
    expect(report.passed).toBe(true);
  });

  it('prints the report as JSON with --json, and exits 1 when a check fails', async () => {
    const { code, stdout } = await run(guestPath('hostile-trap-unreachable'), '--json', '--lane', 'isolated');
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as ConformanceReport;
    expect(report.passed).toBe(false);
    expect(report.plugin).toEqual({ id: 'hostile.trap-unreachable', version: '0.1.0' });
    expect(report.checks.find((check) => check.id === 'commands')?.findings[0]).toMatchObject({
      code: 'trap',
      severity: 'error',
    });
  });

  it('marks failures with ✗ and skips with – in the readable report', async () => {
    const { code, stdout } = await run(guestPath('hostile-loop-command'));
    expect(code).toBe(1);
    const lines = anyFuel(stdout).split('\n');
    expect(lines).toContain('✗ commands         every declared command answers a valid CommandResponse');
    expect(lines).toContain(
      '    ✗ fuel_exhausted: command "spin": plugin hostile.loop-command@0.1.0 (handle_command) ran out of fuel: it used N of its budget of 100000000 (fuelPerCall); the instance is replaced before the next call',
    );
    expect(lines).toContain(
      '– events           every host event type is survived (skipped: the module does not export on_event)',
    );
    expect(lines.at(-2)).toBe('FAIL: 2 passed, 4 failed, 2 skipped, 0 warnings');
  });

  it('fails the commands over a --fuel budget with fuel_exhausted, and exits 1', async () => {
    const wasm = guestPath('c-protocol');
    const measured = JSON.parse((await run(wasm, '--json')).stdout) as ConformanceReport;
    const fuel = new Map(
      measured.checks
        .find((check) => check.id === 'budgets')
        ?.findings.filter((f) => f.code === 'fuel')
        .map((f) => {
          const { command, fuelUsed } = f.detail as { command: string; fuelUsed: number };
          return [command, fuelUsed];
        }),
    );
    // A budget between the cheapest and the dearest command: some fit, some do not.
    const budget = Math.floor((Math.min(...fuel.values()) + Math.max(...fuel.values())) / 2);
    const over = [...fuel.keys()].filter((command) => (fuel.get(command) ?? 0) > budget);
    const under = [...fuel.keys()].filter((command) => !over.includes(command));
    expect(over.length > 0 && under.length > 0).toBe(true);

    const { code, stdout } = await run(wasm, '--fuel', String(budget));
    expect(code).toBe(1);
    const lines = anyFuel(stdout).split('\n');
    expect(lines).toContain('✗ budgets          stays within the fuel, time and memory budgets');
    for (const command of over) {
      expect(lines).toContain(
        `    ✗ fuel_exhausted: command "${command}": plugin plinth-golden.c@1.0.0 (handle_command) ran out of fuel: it used N of its budget of ${budget} (fuelPerCall); the instance is replaced before the next call`,
      );
    }
    for (const command of under) {
      expect(stdout).toContain(
        `    · fuel: command "${command}" used ${fuel.get(command)} fuel (budget ${budget})`,
      );
    }
  });

  it('passes --id and --app-version to the load checks', async () => {
    const mismatch = await run(guestPath('c-protocol'), '--id', 'acme.other', '--json');
    expect(mismatch.code).toBe(1);
    const report = JSON.parse(mismatch.stdout) as ConformanceReport;
    expect(report.checks[0]?.findings.map((finding) => finding.code)).toEqual(['id_mismatch']);

    const newer = await run(guestPath('hostile-min-app-version'), '--app-version', '999.0.0', '--json');
    const manifest = (JSON.parse(newer.stdout) as ConformanceReport).checks[0];
    expect(manifest?.status).toBe('pass');
  });

  it('loads a copy of the module for each --copy, so plugins that call each other are checked', async () => {
    const fixtures = file(
      'bounce.json',
      JSON.stringify({ bounce: { target: 'b.bounce', back: 'hostile.command-recursion' } }),
    );
    const wasm = guestPath('hostile-command-recursion');
    const alone = await run(wasm, '--fixtures', fixtures, '--json');
    const aloneReport = JSON.parse(alone.stdout) as ConformanceReport;
    // Without the copy nothing grants the call: a denial outside the requested permissions.
    expect(
      aloneReport.checks.find((check) => check.id === 'permissions')?.findings.map((f) => f.code),
    ).toEqual(['permission_denied']);
    const { code, stdout } = await run(wasm, '--fixtures', fixtures, '--copy', 'b.bounce', '--json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as ConformanceReport;
    expect(report.checks.find((check) => check.id === 'permissions')?.findings.map((f) => f.code)).toEqual([
      'call_depth',
    ]);
  });

  it('prints the usage with --help and exits 0', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: plinth-test <plugin.wasm> \[options\]/);
    expect(stdout).toContain('  --fuel <n>               fuel budget of every call (default 100000000)\n');
    expect(stdout).toContain(
      '  --lane <lane>            in-thread | isolated (default in-thread, isolated with --copy)',
    );
  });

  it.each([
    [[], 'missing the plugin .wasm file'],
    [['a.wasm', 'b.wasm'], 'expected one .wasm file, got 2'],
    [['--bogus', 'x.wasm'], "Unknown option '--bogus'"],
    [['/nonexistent/plugin.wasm'], 'cannot read the plugin /nonexistent/plugin.wasm: ENOENT'],
    [['PLUGIN', '--lane', 'fast'], '--lane must be in-thread or isolated; got "fast"'],
    [['PLUGIN', '--timeout', '1.5'], '--timeout must be a positive whole number; got "1.5"'],
    [['PLUGIN', '--fuel', '0'], '--fuel must be a positive whole number; got "0"'],
    [['PLUGIN', '--fuel', '1e9'], '--fuel must be a positive whole number; got "1e9"'],
    [
      ['PLUGIN', '--fuel', '9007199254740993'],
      '--fuel must be at most 9007199254740991; got "9007199254740993"',
    ],
    [['PLUGIN', '--memory-pages', '0'], '--memory-pages must be a positive whole number; got "0"'],
    [
      ['PLUGIN', '--app-version', 'latest'],
      '--app-version must be a semantic version such as 1.2.3; got "latest"',
    ],
    [
      ['PLUGIN', '--fixtures', '/nonexistent/f.json'],
      'cannot read the fixtures file /nonexistent/f.json: ENOENT',
    ],
    [['PLUGIN', '--files', '/nonexistent/notes'], 'cannot read the files folder /nonexistent/notes: ENOENT'],
    [['PLUGIN', '--files', 'PLUGIN'], 'the files folder PLUGIN is not a folder'],
  ])('exits 2 on a usage error: %j', async (argv, message) => {
    const args = argv.map((arg) => (arg === 'PLUGIN' ? guestPath('c-protocol') : arg));
    const { code, stdout, stderr } = await run(...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toContain(
      `plinth-test: ${message.replace('PLUGIN', guestPath('c-protocol'))}`,
    );
    expect(stderr).toContain('Usage: plinth-test');
  });

  it('exits 2 when the --files folder holds a symlink, naming it', async () => {
    const workspace = join(dir, 'linked');
    mkdirSync(join(workspace, 'Notes'), { recursive: true });
    symlinkSync('/etc/passwd', join(workspace, 'Notes', 'passwd.md'));
    const { code, stderr } = await run(guestPath('c-protocol'), '--files', workspace);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(
      `plinth-test: the files folder ${workspace} holds Notes/passwd.md, which is a symlink; only files and folders are copied into the workspace`,
    );
  });

  it('exits 2 when the fixtures file is not JSON or not an object, naming the file', async () => {
    const broken = file('broken.json', '{"greet": ');
    const notJson = await run(guestPath('c-protocol'), '--fixtures', broken);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr.split('\n')[0]).toMatch(
      new RegExp(
        `^plinth-test: the fixtures file ${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON: `,
      ),
    );
    const array = file('array.json', '[1, 2]');
    const notObject = await run(guestPath('c-protocol'), '--fixtures', array);
    expect(notObject.code).toBe(2);
    expect(notObject.stderr.split('\n')[0]).toBe(
      `plinth-test: the fixtures file ${array} must hold a JSON object of { "<command>": <params> }`,
    );
  });
});
