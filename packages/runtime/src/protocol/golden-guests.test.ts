import { readFileSync } from 'node:fs';
import { PlinthError, type JsonValue } from '@plinth/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostBundle } from '@plinth/host-kit';
import { testLane, type SpyLane } from './__fixtures__/scripted-guest.js';
import { commandErrorKind } from './guest-output.js';
import { openProtocolPlugin, type ProtocolPlugin } from './protocol-plugin.js';
import type { ProtocolLogEntry } from './protocol-log.js';

interface ConformanceRow {
  name: string;
  request: { command: string; params: JsonValue };
  response: JsonValue;
  hostCalls: { function: string; input?: JsonValue }[];
}
interface Conformance {
  host: Record<string, string>;
  manifest: { capabilities: string[]; commands: string[] };
  rows: ConformanceRow[];
}

const guests = new URL('../../../guests/corpus/', import.meta.url);
const conformance = JSON.parse(readFileSync(new URL('conformance.json', guests), 'utf8')) as Conformance;
const bundle = Object.fromEntries(
  Object.entries(conformance.host).map(([name, answer]) => [name, () => answer]),
) as HostBundle;

const GOLDEN = {
  'as-notes': 'plinth-golden.notes',
  'as-http': 'plinth-golden.http',
  'c-protocol': 'plinth-golden.c',
  'rust-protocol': 'plinth-golden.rust',
  'wat-protocol': 'plinth-golden.wat',
} as const;

const open: ProtocolPlugin[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((plugin) => plugin.shutdown()));
});

async function openGolden(name: keyof typeof GOLDEN, storedConfig?: Record<string, JsonValue>) {
  const lane = await testLane(readFileSync(new URL(`golden/${name}/plugin.wasm`, guests)), { bundle });
  const logs: ProtocolLogEntry[] = [];
  const plugin = await openProtocolPlugin({
    lane,
    hostAppVersion: '1.0.0',
    expectedId: GOLDEN[name],
    storedConfig,
    initContext: { workspace_root: '/workspace' },
    log: (entry) => logs.push(entry),
  });
  open.push(plugin);
  return { plugin, lane, logs };
}

/** Host calls as the conformance table writes them: inputs parsed, and only where the row gives one. */
function hostCallsOf(lane: SpyLane, expected: ConformanceRow['hostCalls']) {
  return lane.hostCalls.map((record, index) =>
    expected[index]?.input === undefined
      ? { function: record.function }
      : { function: record.function, input: JSON.parse(record.input) as JsonValue },
  );
}

describe.each(Object.keys(GOLDEN) as (keyof typeof GOLDEN)[])('golden guest %s', (name) => {
  it('loads: manifest, then init with the InitContext; id and version fixed from the manifest', async () => {
    const { plugin, lane, logs } = await openGolden(name);
    expect(plugin.id).toBe(GOLDEN[name]);
    expect(plugin.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(plugin.manifest.capabilities).toEqual(expect.arrayContaining(conformance.manifest.capabilities));
    expect(plugin.manifest.commands).toEqual(expect.arrayContaining(conformance.manifest.commands));
    expect(plugin.warnings).toEqual([]);
    expect(lane.calls).toEqual(['manifest', 'init']);
    expect(logs).toEqual([]);
  });

  it('answers every row of the conformance table through command()', async () => {
    const { plugin, lane } = await openGolden(name);
    for (const row of conformance.rows) {
      lane.hostCalls.length = 0;
      if (!plugin.manifest.commands.includes(row.request.command)) {
        // An undeclared command never reaches the guest; the guest's own answer is still checked raw.
        const calls = lane.calls.length;
        const refused = await plugin.command(row.request.command, row.request.params).catch((e) => e);
        expect(refused, row.name).toMatchObject({ code: 'not_handled' });
        expect(lane.calls.length, row.name).toBe(calls);
        const raw = await plugin.callRaw('handle_command', JSON.stringify(row.request));
        expect(JSON.parse(new TextDecoder().decode(raw.output!)), row.name).toEqual(row.response);
        continue;
      }
      const response = await plugin.command(row.request.command, row.request.params);
      expect(response, row.name).toEqual(row.response);
      expect(hostCallsOf(lane, row.hostCalls), row.name).toEqual(row.hostCalls);
    }
  });

  it('types command failures with commandErrorKind', async () => {
    const { plugin } = await openGolden(name);
    expect(commandErrorKind(await plugin.command('ping'))).toBeNull();
    expect(commandErrorKind(await plugin.command('greet', {}))).toBe('command_error');
  });

  it('delivers events to on_event without failing', async () => {
    const { plugin, lane, logs } = await openGolden(name);
    expect(await plugin.event({ event_type: 'file_opened', payload: { path: 'notes/a.md' } })).toBeNull();
    expect(await plugin.event({ event_type: 'acme.custom', payload: [1, 'two'] })).toBeNull();
    expect(lane.calls.filter((call) => call === 'on_event')).toHaveLength(2);
    expect(logs).toEqual([]);
  });

  it('shuts down: calls shutdown with {}, then closes the lane', async () => {
    const { plugin, lane } = await openGolden(name);
    await plugin.shutdown();
    await plugin.shutdown();
    expect(lane.calls.at(-1)).toBe('shutdown');
    expect(lane.calls.filter((call) => call === 'shutdown')).toHaveLength(1);
    expect(lane.closed).toBe(true);
    const error = await plugin.command('ping').catch((e: unknown) => e);
    expect(PlinthError.isInstance(error) && error.code).toBe('closed');
  });
});

describe('golden guests with config', () => {
  it('as-notes: stored config goes to set_config before init, and its reconcile is surfaced', async () => {
    const { plugin, lane } = await openGolden('as-notes', { daily_folder: 'Journal' });
    expect(lane.calls).toEqual(['manifest', 'set_config', 'init']);
    expect(plugin.loadReconcile).toMatchObject({
      config: { daily_folder: 'Journal' },
      permission_request: { permissions: { edit_files: { include: ['Journal'] } } },
    });
    expect(await plugin.getConfig()).toEqual({ daily_folder: 'Journal' });
  });

  it('as-notes: setConfig returns the reconcile with its permission request, never applied', async () => {
    const { plugin } = await openGolden('as-notes');
    expect(await plugin.getConfig()).toEqual({ daily_folder: 'Daily' });
    const reconcile = await plugin.setConfig({ daily_folder: 'Log/' });
    expect(reconcile.config).toEqual({ daily_folder: 'Log' });
    expect(reconcile.permission_request?.reasons).toEqual({
      edit_files: 'Update daily notes in Log.',
      create_files: 'Create daily notes in Log.',
    });
    expect(await plugin.getConfig()).toEqual({ daily_folder: 'Log' });
  });

  it.each(['c-protocol', 'rust-protocol'] as const)(
    '%s: keeps the config given to set_config',
    async (name) => {
      const { plugin, lane } = await openGolden(name, { theme: 'dark', size: 3 });
      expect(lane.calls).toEqual(['manifest', 'set_config', 'init']);
      expect(plugin.loadReconcile).toEqual({});
      expect(await plugin.getConfig()).toEqual({ theme: 'dark', size: 3 });
      expect(await plugin.setConfig({ nested: { list: [1, 'Zoë 🌍'] } })).toEqual({});
      expect(await plugin.getConfig()).toEqual({ nested: { list: [1, 'Zoë 🌍'] } });
      expect(await plugin.setConfig(null)).toEqual({});
      expect(await plugin.getConfig()).toEqual({});
    },
  );

  it('an empty stored config is not sent to set_config', async () => {
    const { lane } = await openGolden('c-protocol', {});
    expect(lane.calls).toEqual(['manifest', 'init']);
  });

  it('wat-protocol has no config exports: the host copy answers', async () => {
    const { plugin, lane } = await openGolden('wat-protocol', { theme: 'dark' });
    expect(lane.calls).toEqual(['manifest', 'init']);
    expect(await plugin.getConfig()).toEqual({ theme: 'dark' });
    expect(await plugin.setConfig({ theme: 'light' })).toEqual({});
    expect(await plugin.getConfig()).toEqual({ theme: 'light' });
    expect(lane.calls).toEqual(['manifest', 'init']);
  });
});
