import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifestWith, minimalManifest } from '../__fixtures__/manifests.js';
import type { ProtocolErrorCode } from '../errors/protocol-error.js';
import type { ParseResult } from '../payload.js';
import { decodeGuestManifest, parseGuestManifest } from './all.js';
import { KNOWN_CAPABILITIES, type GuestManifest } from './manifest.js';

const dailyText = readFileSync(new URL('../__fixtures__/diaryx-daily-manifest.json', import.meta.url), 'utf8');

function accepted(result: ParseResult<GuestManifest>): { value: GuestManifest; warnings: readonly { path: readonly (string | number)[]; message: string }[] } {
  if (!result.ok) throw new Error(`expected the manifest to be accepted, got: ${result.error.message}`);
  return result;
}

function rejected(result: ParseResult<GuestManifest>) {
  if (result.ok) throw new Error(`expected the manifest to be rejected, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('GuestManifest: minimal manifest', () => {
  it('accepts only the required fields and fills every default', () => {
    const { value, warnings } = accepted(parseGuestManifest(minimalManifest));
    expect(value).toEqual({
      ...minimalManifest,
      protocol_version: 1,
      capabilities: [],
      commands: [],
      ui: [],
      cli: [],
      conversions: [],
      server_functions: [],
    });
    expect(value).not.toHaveProperty('requested_permissions');
    expect(value).not.toHaveProperty('min_app_version');
    expect(warnings).toEqual([]);
  });

  it('decodes the same manifest from wire text', () => {
    const fromText = accepted(decodeGuestManifest(JSON.stringify(minimalManifest)));
    expect(fromText.value).toEqual(accepted(parseGuestManifest(minimalManifest)).value);
  });

  it('ignores unknown top-level fields', () => {
    const { value, warnings } = accepted(parseGuestManifest(manifestWith({ homepage: 'https://x', extra: { a: 1 } })));
    expect(value).not.toHaveProperty('homepage');
    expect(value).not.toHaveProperty('extra');
    expect(warnings).toEqual([]);
  });
});

describe('GuestManifest: a Diaryx-shaped manifest (diaryx.daily)', () => {
  const { value, warnings } = accepted(decodeGuestManifest(dailyText));
  const raw = JSON.parse(dailyText) as Record<string, unknown>;

  it('keeps every field the guest declared', () => {
    expect(value.id).toBe('diaryx.daily');
    expect(value.version).toBe('0.3.1');
    expect(value.min_app_version).toBe('1.4.0');
    expect(value.capabilities).toEqual(['workspace_events', 'file_events', 'custom_commands']);
    expect(value.commands).toEqual(raw['commands']);
    expect(value.ui).toEqual(raw['ui']);
    expect(warnings).toEqual([]);
  });

  it('keeps requested permissions with their reasons', () => {
    expect(value.requested_permissions?.defaults.plugin_storage).toEqual({ include: ['all'], exclude: [] });
    expect(value.requested_permissions?.defaults.read_files).toEqual({ include: ['Daily'], exclude: [] });
    expect(Object.keys(value.requested_permissions?.reasons ?? {}).sort()).toEqual(
      ['create_files', 'edit_files', 'plugin_storage', 'read_files'],
    );
  });

  it('keeps the ui contributions untouched, including fields the core host does not know', () => {
    expect(value.ui.map((element) => element.slot)).toEqual(['SidebarTab', 'CommandPaletteItem', 'CommandPaletteItem']);
    expect(value.ui[0]).toMatchObject({ side: 'Left', component: { type: 'Iframe', component_id: 'daily.panel' } });
  });

  it('fills cli defaults and keeps the args', () => {
    const [daily] = value.cli;
    expect(daily).toMatchObject({ name: 'daily', aliases: ['d'], command_name: 'CliDaily', requires_workspace: true, subcommands: [] });
    expect(daily?.args).toEqual([
      { name: 'date', help: expect.any(String), value_type: 'String', required: false, is_flag: false },
      { name: 'print', help: expect.any(String), short: 'p', long: 'print', is_flag: true, value_type: 'String', required: false },
    ]);
  });

  it('drops the unknown top-level field', () => {
    expect(value).not.toHaveProperty('x_build');
  });

  it('round-trips: parsing its own JSON gives the same value', () => {
    const again = accepted(decodeGuestManifest(JSON.stringify(value)));
    expect(again.value).toEqual(value);
    expect(again.warnings).toEqual([]);
  });
});

describe('GuestManifest: lenient fields', () => {
  it('drops unknown capabilities with a warning at [capabilities, i]', () => {
    const result = accepted(parseGuestManifest(manifestWith({ capabilities: ['file_events', 'crdt_commands', 'command'] })));
    expect(result.value.capabilities).toEqual(['file_events']);
    expect(result.warnings).toEqual([
      { path: ['capabilities', 1], message: expect.stringContaining('"crdt_commands"') },
      { path: ['capabilities', 2], message: expect.stringContaining('"command"') },
    ]);
  });

  it('keeps every known capability', () => {
    const result = accepted(parseGuestManifest(manifestWith({ capabilities: [...KNOWN_CAPABILITIES] })));
    expect(result.value.capabilities).toEqual([...KNOWN_CAPABILITIES]);
    expect(result.warnings).toEqual([]);
  });

  it('drops bad ui elements with a warning and keeps the good ones', () => {
    const good = { slot: 'ToolbarButton', id: 't', label: 'T', plugin_command: 'Go' };
    const result = accepted(parseGuestManifest(manifestWith({ ui: [{ id: 'no-slot' }, good, 7, { slot: '' }] })));
    expect(result.value.ui).toEqual([good]);
    expect(result.warnings.map((w) => w.path)).toEqual([['ui', 0], ['ui', 2], ['ui', 3]]);
    expect(result.warnings[0]?.message).toMatch(/^ui element dropped: .*slot/);
  });

  it('keeps a ui element with an unknown slot but warns at its slot', () => {
    const result = accepted(parseGuestManifest(manifestWith({ ui: [{ slot: 'FloatingOrb', id: 'o' }] })));
    expect(result.value.ui).toEqual([{ slot: 'FloatingOrb', id: 'o' }]);
    expect(result.warnings).toEqual([{ path: ['ui', 0, 'slot'], message: expect.stringContaining('unknown ui slot "FloatingOrb"') }]);
  });

  it('drops bad cli elements with a warning naming the bad field, and keeps the good ones', () => {
    const good = { name: 'count', about: 'Count words' };
    const badArg = { name: 'x', about: 'y', args: [{ name: 'a', help: 'h' }, { name: 'b' }] };
    const result = accepted(parseGuestManifest(manifestWith({ cli: [badArg, good, 'daily', { name: 'z', about: 'z', args: [{ name: 'q', help: 'h', value_type: 'Date' }] }] })));
    expect(result.value.cli.map((c) => c.name)).toEqual(['count']);
    expect(result.warnings.map((w) => w.path)).toEqual([['cli', 0], ['cli', 2], ['cli', 3]]);
    expect(result.warnings[0]?.message).toContain('args[1].help');
    expect(result.warnings[2]?.message).toContain('args[0].value_type');
  });

  it('validates nested cli subcommands', () => {
    const nested = { name: 'sync', about: 's', subcommands: [{ name: 'start', about: 'go', requires_workspace: false }] };
    const result = accepted(parseGuestManifest(manifestWith({ cli: [nested, { name: 'bad', about: 'b', subcommands: [{ name: 'x' }] }] })));
    expect(result.value.cli).toHaveLength(1);
    expect(result.value.cli[0]?.subcommands[0]).toMatchObject({ name: 'start', requires_workspace: false, aliases: [] });
    expect(result.warnings[0]?.message).toContain('subcommands[0].about');
  });

  it('warns when commands are listed without the custom_commands capability', () => {
    const result = accepted(parseGuestManifest(manifestWith({ commands: ['Count'] })));
    expect(result.value.commands).toEqual(['Count']);
    expect(result.warnings).toEqual([{ path: ['capabilities'], message: expect.stringContaining('custom_commands') }]);
  });
});

interface BadCase {
  title: string;
  overrides: Record<string, unknown>;
  code: ProtocolErrorCode;
  path: (string | number)[];
  message: RegExp;
}

const badCases: BadCase[] = [
  { title: 'protocol_version 2', overrides: { protocol_version: 2 }, code: 'unsupported_protocol_version', path: ['protocol_version'], message: /protocol_version 2 is not supported: this host speaks protocol version 1/ },
  { title: 'protocol_version 0', overrides: { protocol_version: 0 }, code: 'unsupported_protocol_version', path: ['protocol_version'], message: /protocol_version 0 is not supported.*version 1/ },
  { title: 'fractional protocol_version', overrides: { protocol_version: 1.5 }, code: 'unsupported_protocol_version', path: ['protocol_version'], message: /whole number/ },
  { title: 'uppercase id', overrides: { id: 'Acme.WordCount' }, code: 'invalid_plugin_id', path: ['id'], message: /lowercase.*"acme\.word-count".*got "Acme\.WordCount"/ },
  { title: 'one-segment id', overrides: { id: 'wordcount' }, code: 'invalid_plugin_id', path: ['id'], message: /at least two segments/ },
  { title: 'id with ..', overrides: { id: 'acme..x' }, code: 'invalid_plugin_id', path: ['id'], message: /got "acme\.\.x"/ },
  { title: 'id with a slash', overrides: { id: 'acme/x.y' }, code: 'invalid_plugin_id', path: ['id'], message: /got "acme\/x\.y"/ },
  { title: 'id of ../../etc', overrides: { id: '../../etc' }, code: 'invalid_plugin_id', path: ['id'], message: /segments/ },
  { title: 'id with a leading dash segment', overrides: { id: 'acme.-x' }, code: 'invalid_plugin_id', path: ['id'], message: /segments/ },
  { title: 'too long id', overrides: { id: `acme.${'a'.repeat(124)}` }, code: 'invalid_plugin_id', path: ['id'], message: /at most 128 characters/ },
  { title: 'version "1.0"', overrides: { version: '1.0' }, code: 'invalid_version', path: ['version'], message: /version must be a semantic version such as "1\.2\.3" \(got "1\.0"\)/ },
  { title: 'version "v1.0.0"', overrides: { version: 'v1.0.0' }, code: 'invalid_version', path: ['version'], message: /semantic version.*got "v1\.0\.0"/ },
  { title: 'version with a leading zero', overrides: { version: '01.0.0' }, code: 'invalid_version', path: ['version'], message: /semantic version/ },
  { title: 'min_app_version "1.4"', overrides: { min_app_version: '1.4' }, code: 'invalid_min_app_version', path: ['min_app_version'], message: /min_app_version must be a semantic version.*got "1\.4"/ },
  { title: 'min_app_version ">=1.0.0"', overrides: { min_app_version: '>=1.0.0' }, code: 'invalid_min_app_version', path: ['min_app_version'], message: /min_app_version must be a semantic version/ },
  { title: 'missing name', overrides: { name: undefined }, code: 'invalid_payload', path: ['name'], message: /at name: is required/ },
  { title: 'missing capabilities', overrides: { capabilities: undefined }, code: 'invalid_payload', path: ['capabilities'], message: /at capabilities: is required \(expected array\)/ },
  { title: 'missing id', overrides: { id: undefined }, code: 'invalid_plugin_id', path: ['id'], message: /at id: is required/ },
  { title: 'name of the wrong type', overrides: { name: 42 }, code: 'invalid_payload', path: ['name'], message: /expected string, got number 42/ },
  { title: 'capabilities as a string', overrides: { capabilities: 'file_events' }, code: 'invalid_payload', path: ['capabilities'], message: /expected array, got a string/ },
  { title: 'a non-string command', overrides: { commands: ['ok', 3] }, code: 'invalid_payload', path: ['commands', 1], message: /at commands\[1\]: expected string/ },
  { title: 'ui as an object', overrides: { ui: { slot: 'SidebarTab' } }, code: 'invalid_payload', path: ['ui'], message: /expected array, got an object/ },
  { title: 'server function missing its path', overrides: { server_functions: [{ name: 'a', method: 'GET', description: 'd' }] }, code: 'invalid_payload', path: ['server_functions', 0, 'path'], message: /server_functions\[0\]\.path: is required/ },
  { title: 'requested_permissions.reasons with a non-string', overrides: { requested_permissions: { reasons: { read_files: 1 } } }, code: 'invalid_payload', path: ['requested_permissions', 'reasons', 'read_files'], message: /requested_permissions\.reasons\.read_files/ },
];

describe('GuestManifest: bad input', () => {
  it.each(badCases)('$title → $code at $path', ({ overrides, code, path, message }) => {
    const error = rejected(parseGuestManifest(manifestWith(overrides)));
    expect(error.code).toBe(code);
    expect(error.path).toEqual(path);
    expect(error.payload).toBe('GuestManifest');
    expect(error.message).toMatch(/^Invalid GuestManifest: at /);
    expect(error.message).toMatch(message);
  });

  it('rejects invalid JSON text with invalid_json and a preview of the text', () => {
    const error = rejected(decodeGuestManifest('{"id": "acme.x",'));
    expect(error.code).toBe('invalid_json');
    expect(error.path).toEqual([]);
    expect(error.message).toMatch(/not valid JSON/);
    expect(error.message).toContain('{\\"id\\": \\"acme.x\\",');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('rejects an empty manifest output as invalid_json', () => {
    expect(rejected(decodeGuestManifest('')).code).toBe('invalid_json');
  });

  it.each([
    ['an array', [], /expected object, got an array/],
    ['null', null, /expected object, got null/],
    ['a string', 'acme.x', /expected object, got a string/],
    ['a number', 1, /expected object, got number 1/],
  ])('rejects %s at the root', (_title, value, message) => {
    const error = rejected(parseGuestManifest(value));
    expect(error.code).toBe('invalid_payload');
    expect(error.path).toEqual([]);
    expect(error.message).toMatch(/at \(root\)/);
    expect(error.message).toMatch(message);
  });

  it('lists every issue, not just the first', () => {
    const error = rejected(parseGuestManifest({ id: 'acme.x' }));
    expect(error.issues.map((issue) => issue.path[0])).toEqual(['name', 'version', 'description', 'capabilities']);
    expect(error.code).toBe('invalid_payload');
  });
});
