import { describe, expect, it } from 'vitest';
import { guestPath, listGuests } from '@plinth/guests';
import type { ConformanceReport } from './report.js';
import { runConformance } from './run-conformance.js';

const statuses = (report: ConformanceReport) =>
  Object.fromEntries(report.checks.map((check) => [check.id, check.status]));
const errors = (report: ConformanceReport) =>
  report.checks.flatMap((check) =>
    check.findings.filter((f) => f.severity === 'error').map((f) => `${check.id}/${f.code}`),
  );

describe('runConformance on the golden guests', () => {
  it('knows the five golden guests', () => {
    expect(listGuests({ kind: 'golden' }).map((guest) => guest.name)).toEqual([
      'as-http',
      'as-notes',
      'c-protocol',
      'rust-protocol',
      'wat-protocol',
    ]);
  });

  it.each(['as-notes', 'c-protocol', 'rust-protocol'])('%s passes every check', async (name) => {
    const report = await runConformance({ wasm: guestPath(name) });
    expect(errors(report)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(statuses(report)).toEqual({
      manifest: 'pass',
      commands: 'pass',
      'unknown-command': 'pass',
      events: 'pass',
      config: 'pass',
      permissions: 'pass',
      budgets: 'pass',
      reload: 'pass',
    });
  });

  it('wat-protocol passes, and config is skipped because it has no config exports', async () => {
    const report = await runConformance({ wasm: guestPath('wat-protocol') });
    expect(report.passed).toBe(true);
    expect(report.plugin).toEqual({ id: 'plinth-golden.wat', version: '1.0.0' });
    const config = report.checks.find((check) => check.id === 'config');
    expect(config).toMatchObject({
      status: 'skip',
      reason: 'the module does not export get_config or set_config',
    });
  });

  it('reports a command error answered with success:false as info, not as a failure', async () => {
    const report = await runConformance({ wasm: guestPath('c-protocol'), fixtures: { greet: null } });
    const commands = report.checks.find((check) => check.id === 'commands');
    expect(commands?.status).toBe('pass');
    expect(commands?.findings.filter((f) => f.code === 'command_error')).toEqual([
      {
        code: 'command_error',
        severity: 'info',
        message: 'command "greet" answered success:false: greet: params.name is required (invalid_params)',
        detail: { params: null },
      },
    ]);
  });

  it('calls each command with the params of its CLI hint when no fixture names it', async () => {
    // The hints declare greet's name required (a placeholder is sent) and word_count's path (README.md,
    // which the default workspace holds), so both answer; only ping and echo never reach the host.
    const report = await runConformance({ wasm: guestPath('as-notes') });
    const commands = report.checks.find((check) => check.id === 'commands');
    expect(commands?.findings.map((f) => [f.code, f.detail])).toEqual([
      ['no_host_call', { command: 'ping', params: {}, paramsFrom: 'cli-hint' }],
      ['no_host_call', { command: 'echo', params: {}, paramsFrom: 'cli-hint' }],
    ]);
  });

  it('as-http passes with fixtures and a route, and its fetch reaches the in-memory server', async () => {
    const report = await runConformance({
      wasm: guestPath('as-http'),
      fixtures: {
        greet: { name: 'Ada' },
        fetch: { url: 'https://api.example.com/hello' },
        fetch_json: { url: 'https://api.example.com/hello' },
      },
      httpRoutes: [
        { url: 'https://api.example.com/hello', respond: { status: 200, body: '{"hello":"world"}' } },
      ],
    });
    expect(errors(report)).toEqual([]);
    expect(report.passed).toBe(true);
    // With params for every command, no command answers an error, and fetch reaches the host.
    expect(report.checks.find((check) => check.id === 'commands')?.findings.map((f) => f.code)).toEqual([
      'no_host_call', // ping
      'no_host_call', // echo
    ]);
  });

  it('reports the declared memory, the lane and the fuel of every command as info', async () => {
    const report = await runConformance({ wasm: guestPath('c-protocol') });
    expect(report.passed).toBe(true);
    const budgets = report.checks.find((check) => check.id === 'budgets');
    expect(budgets?.findings.map((f) => [f.severity, f.code, f.message])).toEqual([
      [
        'info',
        'memory',
        'the module declares a memory maximum of 16 pages (1 MiB), within the budget of 256 pages (16 MiB)',
      ],
      [
        'info',
        'lane',
        'the plugin ran metered on the in-thread lane, so fuel enforced the call budget of 100000000 fuel (the 2000 ms wall-clock budget applies on the isolated lane only)',
      ],
      ...['ping', 'echo', 'greet', 'time'].map((command) => [
        'info',
        'fuel',
        expect.stringMatching(
          new RegExp(`^command "${command}" used [1-9]\\d* fuel \\(budget 100000000\\)$`),
        ),
      ]),
    ]);
  });

  it('measures the same fuel per command on every run and on both lanes', async () => {
    const fuelOf = (report: ConformanceReport) =>
      report.checks
        .find((check) => check.id === 'budgets')
        ?.findings.filter((f) => f.code === 'fuel')
        .map((f) => f.detail);
    const first = fuelOf(await runConformance({ wasm: guestPath('c-protocol') }));
    const again = fuelOf(await runConformance({ wasm: guestPath('c-protocol') }));
    const isolated = await runConformance({ wasm: guestPath('c-protocol'), lane: 'isolated' });
    expect(first).toHaveLength(4);
    expect(again).toEqual(first);
    expect(fuelOf(isolated)).toEqual(first);
    expect(isolated.checks.find((check) => check.id === 'budgets')?.findings[1]?.message).toBe(
      'the plugin ran metered on the isolated lane: the call budgets of 100000000 fuel and 2000 ms wall-clock were enforced',
    );
  });

  it('fails the budgets check with fuel_exhausted for a command over a small fuel budget', async () => {
    const report = await runConformance({ wasm: guestPath('c-protocol'), budgets: { fuelPerCall: 1_000 } });
    expect(report.passed).toBe(false);
    const budgets = report.checks.find((check) => check.id === 'budgets');
    expect(budgets?.status).toBe('fail');
    expect(budgets?.findings.some((f) => f.severity === 'error' && f.code === 'fuel_exhausted')).toBe(true);
    expect(errors(report)).toContain('commands/fuel_exhausted');
  });

  it('fails the budgets check when the budget is below the declared maximum (the loader caps it)', async () => {
    const report = await runConformance({ wasm: guestPath('c-protocol'), budgets: { memoryMaxPages: 12 } });
    expect(errors(report)).toEqual(['budgets/memory_too_large']);
    expect(report.checks.find((check) => check.id === 'budgets')?.findings[0]?.detail).toEqual({
      declaredMax: 16,
      effectiveMax: 12,
      action: 'capped',
    });
  });

  it('fails the load when the budget is below the initial memory (the loader refuses it)', async () => {
    const report = await runConformance({ wasm: guestPath('c-protocol'), budgets: { memoryMaxPages: 8 } });
    expect(errors(report)).toEqual(['manifest/memory_refused']);
  });
});
