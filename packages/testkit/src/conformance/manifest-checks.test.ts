import { expectValid, parseGuestManifest } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { checkManifestConsistency, cliCommandTarget, paramsFromCliHints } from './manifest-checks.js';
import { CheckRecorder } from './report.js';

const base = {
  id: 'acme.word-count',
  name: 'Word count',
  version: '1.0.0',
  description: 'Counts words.',
  capabilities: ['custom_commands'],
};

function parse(overrides: Record<string, unknown>) {
  const result = parseGuestManifest({ ...base, ...overrides });
  return { manifest: expectValid(result), warnings: result.ok ? result.warnings : [] };
}

function findings(overrides: Record<string, unknown>) {
  const { manifest, warnings } = parse(overrides);
  const check = new CheckRecorder('manifest');
  checkManifestConsistency(manifest, warnings, check);
  return { check: check.toCheck(), list: check.findings.map((f) => [f.severity, f.code, f.message]) };
}

const hint = (fields: Record<string, unknown>) => ({ about: 'x', ...fields });

describe('cliCommandTarget', () => {
  it('uses command_name, else the PascalCase form of the name', () => {
    const { manifest } = parse({
      cli: [
        hint({ name: 'daily', command_name: 'CliDaily' }),
        hint({ name: 'word-count' }),
        hint({ name: 'tag_index' }),
      ],
    });
    expect(manifest.cli.map(cliCommandTarget)).toEqual(['CliDaily', 'WordCount', 'TagIndex']);
  });
});

describe('paramsFromCliHints', () => {
  it('sends defaults, placeholders for required args, and leaves optional ones out', () => {
    const { manifest } = parse({
      commands: ['Count', 'Sub'],
      cli: [
        hint({
          name: 'count',
          args: [
            { name: 'path', help: '', value_type: 'Path', required: true },
            { name: 'limit', help: '', value_type: 'Integer', default_value: '10' },
            { name: 'ratio', help: '', value_type: 'Float', default_value: '0.5' },
            { name: 'verbose', help: '', is_flag: true },
            { name: 'strict', help: '', value_type: 'Boolean', default_value: 'true' },
            { name: 'label', help: '', required: true },
          ],
          subcommands: [
            hint({ name: 'sub', args: [{ name: 'n', help: '', value_type: 'Integer', required: true }] }),
          ],
        }),
        hint({ name: 'native', native_handler: 'open_today' }),
      ],
    });
    expect(Object.fromEntries(paramsFromCliHints(manifest))).toEqual({
      Count: { path: 'README.md', limit: 10, ratio: 0.5, strict: true, label: 'example' },
      Sub: { n: 1 },
    });
  });

  it('answers no params for a manifest without hints', () => {
    expect(paramsFromCliHints(parse({ commands: ['ping'] }).manifest).size).toBe(0);
  });
});

describe('checkManifestConsistency', () => {
  it('passes a consistent manifest with no findings', () => {
    const { check } = findings({
      commands: ['ping', 'CliDaily'],
      cli: [hint({ name: 'daily', command_name: 'CliDaily' })],
      requested_permissions: {
        defaults: { read_files: { include: ['all'] } },
        reasons: { read_files: 'Read notes.' },
      },
    });
    expect(check).toEqual({
      id: 'manifest',
      title: 'loads, and its manifest is valid and consistent',
      status: 'pass',
      findings: [],
    });
  });

  it('fails on duplicate commands and cli hints that run an undeclared command', () => {
    const { check, list } = findings({ commands: ['ping', 'ping'], cli: [hint({ name: 'stats' })] });
    expect(check.status).toBe('fail');
    expect(list).toEqual([
      ['error', 'duplicate_command', 'commands lists "ping" more than once'],
      ['error', 'cli_unknown_command', 'cli hint "stats" runs command "Stats", which commands does not list'],
    ]);
  });

  it('fails when commands are listed without custom_commands (and drops the duplicate parser warning)', () => {
    const { list } = findings({ capabilities: [], commands: ['ping'] });
    expect(list).toEqual([
      [
        'error',
        'commands_not_routed',
        'commands are listed (ping) but the custom_commands capability is not declared, so a host never routes them',
      ],
    ]);
  });

  it('warns, without failing, about reasons and the parser warnings', () => {
    const { check, list } = findings({
      capabilities: ['custom_commands', 'teleport'],
      requested_permissions: {
        defaults: { http_requests: { include: ['api.example.com'] } },
        reasons: { plugin_storage: 'Remember things.' },
      },
      cli: [{ name: 'broken' }],
    });
    expect(check.status).toBe('pass');
    expect(list).toEqual([
      [
        'warning',
        'permission_without_reason',
        'requested_permissions.defaults.http_requests has no reason; users are shown requested_permissions.reasons.http_requests',
      ],
      [
        'warning',
        'reason_without_permission',
        'requested_permissions.reasons.plugin_storage explains a permission the defaults do not request',
      ],
      ['warning', 'manifest_warning', 'at capabilities[1]: unknown capability "teleport" ignored'],
      [
        'warning',
        'manifest_warning',
        'at cli[0]: cli element dropped: is required (expected string) at about',
      ],
    ]);
  });
});

describe('CheckRecorder', () => {
  it('fails on any error, skips only without errors, and keeps info and warnings out of the status', () => {
    const failing = new CheckRecorder('commands');
    failing.skip('not needed');
    failing.error('trap', 'boom');
    expect(failing.toCheck().status).toBe('fail');
    const skipped = new CheckRecorder('config');
    skipped.skip('no exports');
    expect(skipped.toCheck()).toMatchObject({ status: 'skip', reason: 'no exports' });
    const passing = new CheckRecorder('budgets');
    passing.warning('w', 'warned');
    passing.info('i', 'told');
    expect(passing.toCheck().status).toBe('pass');
  });
});
