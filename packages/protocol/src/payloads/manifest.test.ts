import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifestWith, minimalManifest } from '../__fixtures__/manifests.js';
import { accepted } from '../__fixtures__/results.js';
import { decodeGuestManifest, parseGuestManifest } from './all.js';
import { KNOWN_CAPABILITIES } from './manifest.js';

const dailyText = readFileSync(
  new URL('../__fixtures__/diaryx-daily-manifest.json', import.meta.url),
  'utf8',
);

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
    const { value, warnings } = accepted(
      parseGuestManifest(manifestWith({ homepage: 'https://x', extra: { a: 1 } })),
    );
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
    expect(Object.keys(value.requested_permissions?.reasons ?? {}).sort()).toEqual([
      'create_files',
      'edit_files',
      'plugin_storage',
      'read_files',
    ]);
  });

  it('keeps the ui contributions untouched, including fields the core host does not know', () => {
    expect(value.ui.map((element) => element.slot)).toEqual([
      'SidebarTab',
      'CommandPaletteItem',
      'CommandPaletteItem',
    ]);
    expect(value.ui[0]).toMatchObject({
      side: 'Left',
      component: { type: 'Iframe', component_id: 'daily.panel' },
    });
  });

  it('fills cli defaults and keeps the args', () => {
    const [daily] = value.cli;
    expect(daily).toMatchObject({
      name: 'daily',
      aliases: ['d'],
      command_name: 'CliDaily',
      requires_workspace: true,
      subcommands: [],
    });
    expect(daily?.args).toEqual([
      { name: 'date', help: expect.any(String), value_type: 'String', required: false, is_flag: false },
      {
        name: 'print',
        help: expect.any(String),
        short: 'p',
        long: 'print',
        is_flag: true,
        value_type: 'String',
        required: false,
      },
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
    const result = accepted(
      parseGuestManifest(manifestWith({ capabilities: ['file_events', 'crdt_commands', 'command'] })),
    );
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
    const result = accepted(
      parseGuestManifest(manifestWith({ ui: [{ id: 'no-slot' }, good, 7, { slot: '' }] })),
    );
    expect(result.value.ui).toEqual([good]);
    expect(result.warnings.map((w) => w.path)).toEqual([
      ['ui', 0],
      ['ui', 2],
      ['ui', 3],
    ]);
    expect(result.warnings[0]?.message).toMatch(/^ui element dropped: .*slot/);
  });

  it('keeps a ui element with an unknown slot but warns at its slot', () => {
    const result = accepted(parseGuestManifest(manifestWith({ ui: [{ slot: 'FloatingOrb', id: 'o' }] })));
    expect(result.value.ui).toEqual([{ slot: 'FloatingOrb', id: 'o' }]);
    expect(result.warnings).toEqual([
      { path: ['ui', 0, 'slot'], message: expect.stringContaining('unknown ui slot "FloatingOrb"') },
    ]);
  });

  it('drops bad cli elements with a warning naming the bad field, and keeps the good ones', () => {
    const good = { name: 'count', about: 'Count words' };
    const badArg = { name: 'x', about: 'y', args: [{ name: 'a', help: 'h' }, { name: 'b' }] };
    const result = accepted(
      parseGuestManifest(
        manifestWith({
          cli: [
            badArg,
            good,
            'daily',
            { name: 'z', about: 'z', args: [{ name: 'q', help: 'h', value_type: 'Date' }] },
          ],
        }),
      ),
    );
    expect(result.value.cli.map((c) => c.name)).toEqual(['count']);
    expect(result.warnings.map((w) => w.path)).toEqual([
      ['cli', 0],
      ['cli', 2],
      ['cli', 3],
    ]);
    expect(result.warnings[0]?.message).toContain('args[1].help');
    expect(result.warnings[2]?.message).toContain('args[0].value_type');
  });

  it('validates nested cli subcommands', () => {
    const nested = {
      name: 'sync',
      about: 's',
      subcommands: [{ name: 'start', about: 'go', requires_workspace: false }],
    };
    const result = accepted(
      parseGuestManifest(
        manifestWith({ cli: [nested, { name: 'bad', about: 'b', subcommands: [{ name: 'x' }] }] }),
      ),
    );
    expect(result.value.cli).toHaveLength(1);
    expect(result.value.cli[0]?.subcommands[0]).toMatchObject({
      name: 'start',
      requires_workspace: false,
      aliases: [],
    });
    expect(result.warnings[0]?.message).toContain('subcommands[0].about');
  });

  it('warns when commands are listed without the custom_commands capability', () => {
    const result = accepted(parseGuestManifest(manifestWith({ commands: ['Count'] })));
    expect(result.value.commands).toEqual(['Count']);
    expect(result.warnings).toEqual([
      { path: ['capabilities'], message: expect.stringContaining('custom_commands') },
    ]);
  });
});
