import { describe, expect, it } from 'vitest';
import { guestPath, listGuests } from '@plinth/guests';
import type { CheckId, ConformanceReport } from './report.js';
import { runConformance, type ConformanceOptions } from './run-conformance.js';

/** A finding the guest must cause: in this check, with this code (or one of these codes). */
type Expected = readonly [CheckId, string | readonly string[]];

interface HostileCase {
  /**
   * The documented outcome in guests.json this case maps from: what the runtime does on the isolated
   * lane. The conformance run is metered in-thread, so a guest that spins fails with `fuel_exhausted`.
   */
  outcome: string;
  options?: Omit<ConformanceOptions, 'wasm'>;
  findings: readonly Expected[];
}

const RECURSION_ID = 'hostile.command-recursion';
// The ping-pong needs a second copy to call and params naming it; the copy calls back and is refused.
const BOUNCE = {
  copies: ['b.bounce'],
  fixtures: { bounce: { target: 'b.bounce', back: RECURSION_ID } },
} as const;

const CASES: Readonly<Record<string, HostileCase>> = {
  'hostile-command-recursion': {
    outcome: 'limit:depth',
    options: BOUNCE,
    findings: [['permissions', 'call_depth']],
  },
  'hostile-command-self': {
    outcome: 'rejected:self_call',
    findings: [['permissions', 'self_call']],
  },
  'hostile-events-flood': {
    outcome: 'limit:events_per_second',
    // A count above the host-call budget ends the call deterministically (no race with the timeout).
    options: { fixtures: { flood: { count: 2000 } }, budgets: { hostCallsPerCall: 1000 } },
    findings: [
      ['commands', 'host_calls_exceeded'],
      ['permissions', 'host_call_limit'],
      ['budgets', 'host_calls_exceeded'],
    ],
  },
  'hostile-fs-escape': {
    outcome: 'rejected:invalid_input',
    findings: [
      ['permissions', 'path_escape'],
      ['permissions', 'permission_denied'],
    ],
  },
  'hostile-http-ungranted': {
    outcome: 'denied:http_requests',
    findings: [['permissions', 'permission_denied']],
  },
  'hostile-id-mismatch': {
    outcome: 'load:id_mismatch',
    options: { expectedId: 'hostile.id-mismatch' },
    findings: [['manifest', 'id_mismatch']],
  },
  'hostile-import-env': {
    outcome: 'load:forbidden_namespace',
    findings: [['manifest', 'import_not_allowed']],
  },
  'hostile-import-unknown': {
    outcome: 'load:unknown_import',
    findings: [['manifest', 'import_not_allowed']],
  },
  'hostile-import-wasi': {
    outcome: 'load:forbidden_namespace',
    findings: [['manifest', 'import_not_allowed']],
  },
  'hostile-input-malformed': {
    outcome: 'rejected:invalid_input',
    findings: [['permissions', 'invalid_host_call']],
  },
  'hostile-loop-command': {
    outcome: 'limit:timeout',
    findings: [
      ['commands', 'fuel_exhausted'],
      ['budgets', 'fuel_exhausted'],
    ],
  },
  'hostile-loop-init': { outcome: 'limit:timeout', findings: [['manifest', 'fuel_exhausted']] },
  'hostile-loop-manifest': { outcome: 'limit:timeout', findings: [['manifest', 'fuel_exhausted']] },
  'hostile-manifest-huge': {
    outcome: 'load:manifest_too_large',
    findings: [['manifest', 'output_too_large']],
  },
  'hostile-manifest-invalid-json': {
    outcome: 'load:invalid_manifest',
    findings: [['manifest', 'manifest_invalid']],
  },
  'hostile-memory-grow': {
    outcome: 'limit:memory',
    // Memory stops at the cap; fuel then ends the guest that keeps retrying.
    findings: [
      ['commands', 'fuel_exhausted'],
      ['budgets', 'fuel_exhausted'],
    ],
  },
  'hostile-memory-too-large': {
    outcome: 'load:memory_too_large',
    findings: [['budgets', 'memory_too_large']],
  },
  'hostile-memory-unbounded': {
    outcome: 'load:memory_unbounded',
    findings: [['budgets', 'memory_unbounded']],
  },
  'hostile-min-app-version': {
    outcome: 'load:incompatible_app_version',
    findings: [['manifest', 'incompatible_host_version']],
  },
  'hostile-no-output': { outcome: 'call:no_output', findings: [['commands', 'invalid_output']] },
  'hostile-output-huge': {
    outcome: 'limit:output_size',
    // Writing 64 MiB costs more than the default fuel budget; with room for it, the output limit stops it.
    options: { budgets: { fuelPerCall: 1_000_000_000 } },
    findings: [
      ['commands', 'output_too_large'],
      ['budgets', 'output_too_large'],
    ],
  },
  'hostile-output-invalid-json': {
    outcome: 'call:invalid_output',
    findings: [['commands', 'invalid_output']],
  },
  'hostile-output-invalid-utf8': {
    outcome: 'call:invalid_output',
    findings: [['commands', 'invalid_output']],
  },
  'hostile-protocol-version': {
    outcome: 'load:unsupported_protocol_version',
    findings: [['manifest', 'incompatible_protocol']],
  },
  'hostile-stack-overflow': { outcome: 'call:trap', findings: [['commands', 'trap']] },
  'hostile-storage-other-plugin': {
    outcome: 'limit:storage_quota',
    findings: [['permissions', 'quota_exceeded']],
  },
  'hostile-trap-unreachable': { outcome: 'call:trap', findings: [['commands', 'trap']] },
};

const outcomesOf = (name: string): string[] => {
  const guest = listGuests({ kind: 'hostile' }).find((g) => g.name === name);
  return [guest?.outcome, ...(guest?.triggers ?? []).map((t) => t.outcome)].filter(
    (outcome): outcome is string => outcome !== undefined,
  );
};

const codesIn = (report: ConformanceReport, id: CheckId): string[] =>
  report.checks
    .find((check) => check.id === id)
    ?.findings.filter((finding) => finding.severity === 'error')
    .map((finding) => finding.code) ?? [];

describe('runConformance on the hostile guests', () => {
  it('has a case for every hostile guest, mapped from one of its documented outcomes', () => {
    const names = listGuests({ kind: 'hostile' }).map((guest) => guest.name);
    expect(Object.keys(CASES).sort()).toEqual([...names].sort());
    for (const [name, hostile] of Object.entries(CASES)) expect(outcomesOf(name)).toContain(hostile.outcome);
  });

  it.each(Object.entries(CASES).filter(([, c]) => c.findings.length > 0))(
    '%s fails with the finding it should',
    async (name, hostile) => {
      const report = await runConformance({ wasm: guestPath(name), ...hostile.options });
      expect(report.passed).toBe(false);
      for (const [id, codes] of hostile.findings) {
        const wanted = typeof codes === 'string' ? [codes] : codes;
        const found = codesIn(report, id);
        expect(
          found.some((code) => wanted.includes(code)),
          `${id}: wanted ${wanted.join('|')}, got ${found.join(', ')}`,
        ).toBe(true);
        expect(report.checks.find((check) => check.id === id)?.status).toBe('fail');
      }
    },
  );

  it('flags a plugin calling its own command, naming the command', async () => {
    const report = await runConformance({ wasm: guestPath('hostile-command-self') });
    const permissions = report.checks.find((check) => check.id === 'permissions');
    expect(permissions?.findings).toEqual([
      {
        code: 'self_call',
        severity: 'error',
        message:
          'host_plugin_command called the plugin\'s own command "call_self" during handle_command; a plugin may not call itself, so a host refuses it',
        detail: { function: 'host_plugin_command', command: 'call_self', export: 'handle_command' },
      },
    ]);
    expect(report.checks.find((check) => check.id === 'commands')?.status).toBe('pass');
  });

  it('flags the recursion through a copy as a refused call cycle, naming the chain', async () => {
    const report = await runConformance({ wasm: guestPath('hostile-command-recursion'), ...BOUNCE });
    const chain = [RECURSION_ID, 'b.bounce', RECURSION_ID];
    expect(report.checks.find((check) => check.id === 'permissions')?.findings).toEqual([
      {
        code: 'call_depth',
        severity: 'error',
        message: `host_plugin_command from b.bounce to ${RECURSION_ID}:bounce was refused (the chain calls back into a plugin waiting on it): cross-plugin call cycle refused: ${chain.join(' → ')} (${RECURSION_ID} is waiting on this call)`,
        detail: { function: 'host_plugin_command', reason: 'call_cycle', chain, command: 'bounce' },
      },
    ]);
    expect(report.checks.filter((check) => check.status === 'fail').map((check) => check.id)).toEqual([
      'permissions',
    ]);
  });

  it('lets hostile-command-recursion pass alone: without a copy to call, bounce is a well-formed error', async () => {
    const report = await runConformance({ wasm: guestPath('hostile-command-recursion') });
    expect(report.passed).toBe(true);
  });

  it('skips every later check with a reason when the module does not load', async () => {
    const report = await runConformance({ wasm: guestPath('hostile-import-wasi') });
    expect(report.plugin).toBeNull();
    expect(report.checks.map((check) => [check.id, check.status, check.reason ?? ''])).toEqual([
      ['manifest', 'fail', ''],
      ['commands', 'skip', 'the module did not load'],
      ['unknown-command', 'skip', 'the module did not load'],
      ['events', 'skip', 'the module did not load'],
      ['config', 'skip', 'the module did not load'],
      ['permissions', 'skip', 'the module did not load'],
      ['budgets', 'skip', 'the module did not load'],
      ['reload', 'skip', 'the module did not load'],
    ]);
    expect(report.checks[0]?.findings[0]?.message).toBe(
      'loading the module: Cannot load module: The module imports function "fd_write" from "wasi_snapshot_preview1": WASI is not enabled for this plugin',
    );
  });

  it('names the function, permission and target of a denied host call', async () => {
    const report = await runConformance({ wasm: guestPath('hostile-http-ungranted') });
    const permissions = report.checks.find((check) => check.id === 'permissions');
    expect(permissions?.findings.map((finding) => finding.detail)).toEqual([
      {
        function: 'host_http_request',
        permission: 'http_requests',
        target: 'https://not-granted.example/',
        export: 'handle_command',
      },
      {
        function: 'host_http_request',
        permission: 'http_requests',
        target: 'http://127.0.0.1:9/',
        export: 'handle_command',
      },
      {
        function: 'host_http_request',
        permission: 'http_requests',
        target: 'http://localhost/',
        export: 'handle_command',
      },
      {
        function: 'host_http_request',
        permission: 'http_requests',
        target: 'http://169.254.169.254/latest/meta-data/',
        export: 'handle_command',
      },
    ]);
    expect(permissions?.findings[0]?.message).toBe(
      "host_http_request needs http_requests on 'https://not-granted.example/' during handle_command, outside the requested permissions: Permission not configured for plugin 'hostile.http-ungranted': http_requests on 'https://not-granted.example/'. Add plugins.hostile.http-ungranted.permissions.http_requests to the policy.",
    );
  });

  it('keeps checking after a guest runs out of fuel: the next checks run on a freshly loaded plugin', async () => {
    const report = await runConformance({ wasm: guestPath('hostile-loop-command') });
    const commands = report.checks.find((check) => check.id === 'commands');
    expect(commands?.findings[0]?.message).toMatch(
      /^command "spin": plugin hostile\.loop-command@0\.1\.0 \(handle_command\) ran out of fuel: it used \d+ of its budget of 100000000 \(fuelPerCall\)/,
    );
    // The guest spins on any command, so the unknown command and the reload run out too; nothing aborts.
    expect(report.checks.map((check) => [check.id, check.status])).toEqual([
      ['manifest', 'pass'],
      ['commands', 'fail'],
      ['unknown-command', 'fail'],
      ['events', 'skip'],
      ['config', 'skip'],
      ['permissions', 'pass'],
      ['budgets', 'fail'],
      ['reload', 'fail'],
    ]);
    const budgets = report.checks.find((check) => check.id === 'budgets');
    expect(budgets?.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual([
      'fuel_exhausted',
      'fuel_exhausted',
      'fuel_exhausted',
    ]);
    // No fuel line for a command that ran out: its error already says what it used.
    expect(budgets?.findings.filter((f) => f.code === 'fuel')).toEqual([]);
  });

  it('keeps the wall-clock timeout as the backstop on the isolated lane', async () => {
    const report = await runConformance({
      wasm: guestPath('hostile-loop-command'),
      lane: 'isolated',
      // More fuel than the guest can burn in 300 ms, so the clock stops it first.
      budgets: { callTimeoutMs: 300, fuelPerCall: Number.MAX_SAFE_INTEGER },
    });
    expect(report.checks.find((check) => check.id === 'commands')?.findings[0]?.message).toBe(
      'command "spin": plugin hostile.loop-command@0.1.0 (handle_command) timed out after 300 ms; its worker was terminated and a fresh instance (with fresh memory) will serve the next call',
    );
    expect(codesIn(report, 'budgets')).toEqual(['timeout', 'timeout', 'timeout']);
  });
});
