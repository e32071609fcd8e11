import { describe, expect, it } from 'vitest';
import { guestPath } from '@plinth/guests';
import '../vitest/index.js';
import { harnessNeighbour, type HarnessNeighbour } from './plugin-command.js';
import { createPluginHarness } from './plugin-harness.js';

const notes = guestPath('as-notes');
const NOTES_ID = 'plinth-golden.notes';

describe('createPluginHarness', () => {
  it('reads the manifest without running init', async () => {
    const harness = await createPluginHarness({ wasm: notes });
    const manifest = await harness.manifest();
    expect(manifest.id).toBe(NOTES_ID);
    expect(manifest.commands).toContain('word_count');
    expect(harness.hostCalls).toEqual([]);
    await harness.close();
  });

  it('runs commands against the in-memory workspace with the permissions the manifest asks for', async () => {
    const harness = await createPluginHarness({
      wasm: notes,
      files: { 'Notes/a.md': 'one two three #tag', 'Daily/2026-12-01.md': '# 2026-12-01\n' },
    });
    expect(await harness.command('word_count', { path: 'Notes/a.md' })).toEqual({
      success: true,
      data: { path: 'Notes/a.md', words: 4 },
    });
    expect(harness).toHaveCalledHostFunction('host_read_file', { path: 'Notes/a.md' });

    const appended = await harness.command('daily_note', { date: '2026-12-01', text: 'Zoë 🌍' });
    expect(appended.success).toBe(true);
    expect(harness.files()['Daily/2026-12-01.md']).toBe('# 2026-12-01\nZoë 🌍\n');
    expect(harness.fileEvents).toEqual([
      { type: 'file_saved', path: 'Daily/2026-12-01.md', pluginId: NOTES_ID },
    ]);
    await harness.close();
  });

  it('records a denial when the policy does not grant the target', async () => {
    const harness = await createPluginHarness({
      wasm: notes,
      files: { 'Private/x.md': 'secret words' },
      policy: { read_files: { include: ['Notes'] } },
    });
    const response = await harness.command('word_count', { path: 'Private/x.md' });
    expect(response.success).toBe(false);
    expect(response.error_code).toBe('permission_denied');
    expect(harness).toHaveBeenDeniedPermission('read_files', 'Private/x.md');

    harness.setPolicy('allow-all');
    expect((await harness.command('word_count', { path: 'Private/x.md' })).success).toBe(true);
    await harness.close();
  });

  it('keeps storage, emitted events and config for assertions', async () => {
    const harness = await createPluginHarness({
      wasm: notes,
      files: { 'Notes/a.md': 'alpha #x #y' },
      config: { daily_folder: 'Journal' },
    });
    await harness.command('tag_index');
    expect(JSON.parse(harness.storage()['tag_index'] ?? 'null')).toMatchObject({
      tags: { x: ['Notes/a.md'] },
      files: 1,
    });
    await harness.command('emit', { event_type: 'demo.ping', payload: { n: 1 } });
    expect(harness).toHaveEmittedEvent({ event_type: 'demo.ping', payload: { n: 1 } });
    expect(await harness.getConfig()).toEqual({ daily_folder: 'Journal' });
    const reconcile = await harness.setConfig({ daily_folder: 'Days' });
    expect(reconcile.config).toEqual({ daily_folder: 'Days' });
    const raw = await harness.callRaw('get_config', '');
    expect(JSON.parse(new TextDecoder().decode(raw.output ?? new Uint8Array()))).toEqual({
      daily_folder: 'Days',
    });
    await harness.close();
  });

  it('replays a saved transcript without the twins', async () => {
    const recording = await createPluginHarness({ wasm: notes, files: { 'Notes/a.md': 'a b' } });
    const original = await recording.command('word_count', { path: 'Notes/a.md' });
    const transcript = recording.transcript();
    await recording.close();

    const replaying = await createPluginHarness({ wasm: notes, replay: transcript });
    expect(await replaying.command('word_count', { path: 'Notes/a.md' })).toEqual(original);
    expect(replaying.replayed?.divergences).toEqual([]);
    expect(replaying.files()).toEqual({});
    await replaying.close();
  });
});

describe('createPluginHarness: fuel', () => {
  const positive = expect.any(Number) as unknown as number;

  it('records every guest call for its user with the fuel it used', async () => {
    const harness = await createPluginHarness({ wasm: notes, files: { 'Notes/a.md': 'one two' } });
    expect((await harness.manifest()).id).toBe(NOTES_ID);
    await harness.command('word_count', { path: 'Notes/a.md' });
    await expect(harness.command('not_declared')).rejects.toMatchObject({ code: 'not_handled' });
    expect(await harness.event('file_saved', { path: 'Notes/a.md', body_changed: true })).toBeNull();
    await harness.getConfig();
    await harness.setConfig({ daily_folder: 'Days' });
    await harness.callRaw('get_config', '');
    await harness.close();
    expect(harness.calls).toEqual([
      { exportName: 'manifest', outcome: 'ok', fuelUsed: positive },
      { exportName: 'handle_command', command: 'word_count', outcome: 'ok', fuelUsed: positive },
      // Refused before the guest: no fuel.
      { exportName: 'handle_command', command: 'not_declared', outcome: 'error', code: 'not_handled' },
      { exportName: 'on_event', event: 'file_saved', outcome: 'ok', fuelUsed: positive },
      { exportName: 'get_config', outcome: 'ok', fuelUsed: positive },
      { exportName: 'set_config', outcome: 'ok', fuelUsed: positive },
      { exportName: 'get_config', outcome: 'ok', fuelUsed: positive },
    ]);
    for (const call of harness.calls)
      if (call.fuelUsed !== undefined) expect(call.fuelUsed).toBeGreaterThan(0);
    expect(harness.fuelOf('word_count')).toBe(harness.calls[1]?.fuelUsed);
    expect(harness.fuelOf('not_declared')).toBeUndefined();
    expect(harness.lastCall).toBe(harness.calls.at(-1));
    expect(harness.transcript().calls).toEqual(harness.calls);
  });

  it('measures the same fuel on every run and on both lanes', async () => {
    const run = async (lane: 'in-thread' | 'isolated') => {
      const harness = await createPluginHarness({ wasm: notes, lane, files: { 'Notes/a.md': 'a b c #x' } });
      await harness.command('word_count', { path: 'Notes/a.md' });
      await harness.command('tag_index');
      await harness.command('ping');
      await harness.event('file_saved', { path: 'Notes/a.md', body_changed: true });
      await harness.close();
      return harness.calls;
    };
    const first = await run('in-thread');
    expect(first.every((call) => (call.fuelUsed ?? 0) > 0)).toBe(true);
    expect(await run('in-thread')).toEqual(first);
    expect(await run('isolated')).toEqual(first);
  });

  it('stops a looping command with fuel_exhausted in-thread; the plugin serves the next call', async () => {
    const harness = await createPluginHarness({
      wasm: guestPath('hostile-loop-command'),
      limits: { fuelPerCall: 1_000_000 },
    });
    await expect(harness.command('spin')).rejects.toMatchObject({
      code: 'fuel_exhausted',
      context: { exportName: 'handle_command', limit: 'fuelPerCall', fuelBudget: 1_000_000 },
    });
    expect(harness.lastCall).toMatchObject({ command: 'spin', outcome: 'error', code: 'fuel_exhausted' });
    expect(harness.fuelOf('spin')).toBeGreaterThan(1_000_000);
    const { output } = await harness.callRaw('manifest');
    expect(JSON.parse(new TextDecoder().decode(output ?? new Uint8Array()))).toMatchObject({
      id: 'hostile.loop-command',
    });
    await harness.close();
  });

  it('lets the next command run after one runs out of its budget', async () => {
    const files = { 'Notes/long.md': 'word '.repeat(20_000) };
    const measuring = await createPluginHarness({ wasm: notes, files });
    await measuring.command('word_count', { path: 'Notes/long.md' });
    await measuring.command('ping');
    await measuring.close();
    const [long, ping] = [measuring.fuelOf('word_count') ?? 0, measuring.fuelOf('ping') ?? 0];
    expect(long).toBeGreaterThan(ping * 2);

    const harness = await createPluginHarness({ wasm: notes, files, limits: { fuelPerCall: ping * 2 } });
    await expect(harness.command('word_count', { path: 'Notes/long.md' })).rejects.toMatchObject({
      code: 'fuel_exhausted',
    });
    expect(await harness.command('ping')).toEqual({ success: true, data: 'pong' });
    expect(harness.calls.map((call) => [call.command, call.outcome, call.code])).toEqual([
      ['word_count', 'error', 'fuel_exhausted'],
      ['ping', 'ok', undefined],
    ]);
    // The ping ran on the replacement instance, whose first call costs more than a warm one; within budget.
    expect(harness.fuelOf('ping')).toBeLessThanOrEqual(ping * 2);
    await harness.close();
  });

  it('runs unmetered with fuel: false, recording calls without fuel', async () => {
    const harness = await createPluginHarness({ wasm: notes, fuel: false });
    await harness.command('ping');
    await harness.close();
    expect(harness.calls).toEqual([{ exportName: 'handle_command', command: 'ping', outcome: 'ok' }]);
  });
});

const self = guestPath('hostile-command-self');
const bounce = guestPath('hostile-command-recursion');
const BOUNCE_ID = 'hostile.command-recursion';
/** The guest answers the host's raw `host_plugin_command` text as `data`. */
const answerOf = (response: { data?: unknown }): unknown => JSON.parse(response.data as string);

describe('createPluginHarness: host_plugin_command', () => {
  it('refuses a plugin calling itself before any permission check, without re-entering it', async () => {
    const harness = await createPluginHarness({ wasm: self, policy: 'allow-all' });
    const response = await harness.command('call_self');
    expect(answerOf(response)).toEqual({
      success: false,
      error: 'host_plugin_command: plugin hostile.command-self may not call its own commands (call_self)',
    });
    expect(harness.hostCalls.map((call) => [call.function, call.outcome, call.decisions.length])).toEqual([
      ['host_plugin_command', 'failure', 0],
    ]);
    expect(harness.crossPluginRefusals).toEqual([
      {
        reason: 'self_call',
        pluginId: 'hostile.command-self',
        target: 'hostile.command-self',
        command: 'call_self',
        chain: ['hostile.command-self', 'hostile.command-self'],
        message: 'plugin hostile.command-self may not call its own commands (call_self)',
      },
    ]);
    await harness.close();
  });

  it('calls a granted neighbour with the chain and records the allowed decision', async () => {
    const seen: unknown[] = [];
    const harness = await createPluginHarness({
      wasm: bounce,
      policy: { execute_commands: { include: ['b.bounce:bounce'] } },
      neighbours: {
        'b.bounce': (command, params, context) => {
          seen.push({ command, params, chain: context.callChain });
          return { pong: command };
        },
      },
    });
    const response = await harness.command('bounce', { target: 'b.bounce' });
    expect(answerOf(response)).toEqual({ success: true, data: { pong: 'bounce' } });
    expect(seen).toEqual([
      { command: 'bounce', params: { target: 'b.bounce' }, chain: [BOUNCE_ID, 'b.bounce'] },
    ]);
    const decisions = harness.hostCalls.flatMap((call) => call.decisions);
    expect(decisions.map((d) => [d.permission, d.target, d.allowed])).toEqual([
      ['execute_commands', 'b.bounce:bounce', true],
    ]);
    await harness.close();
  });

  it('denies a call outside execute_commands without reaching the neighbour', async () => {
    let called = false;
    const harness = await createPluginHarness({
      wasm: bounce,
      neighbours: { 'b.bounce': () => ((called = true), null) },
    });
    const response = await harness.command('bounce', { target: 'b.bounce' });
    expect(answerOf(response)).toEqual({
      success: false,
      error: `host_plugin_command: Permission not configured for plugin '${BOUNCE_ID}': execute_commands on 'b.bounce:bounce'. Add plugins.${BOUNCE_ID}.permissions.execute_commands to the policy.`,
    });
    expect(harness).toHaveBeenDeniedPermission('execute_commands', 'b.bounce:bounce');
    expect(called).toBe(false);
    await harness.close();
  });

  it('answers the P failure for an unknown plugin, an { error } answer and a throwing neighbour', async () => {
    const harness = await createPluginHarness({
      wasm: bounce,
      policy: 'allow-all',
      neighbours: {
        'err.bounce': () => ({ error: 'bounce: no ball' }),
        'throw.bounce': () => {
          throw new Error('neighbour exploded');
        },
      },
    });
    const errors = [];
    for (const target of ['missing.bounce', 'err.bounce', 'throw.bounce']) {
      errors.push(answerOf(await harness.command('bounce', { target })));
    }
    expect(errors).toEqual([
      { success: false, error: 'host_plugin_command: plugin missing.bounce is not loaded in this harness' },
      { success: false, error: 'host_plugin_command: bounce: no ball' },
      { success: false, error: 'host_plugin_command: neighbour exploded' },
    ]);
    await harness.close();
  });

  it('refuses a call past the depth limit of 8, naming the chain', async () => {
    const harness = await createPluginHarness({
      wasm: bounce,
      policy: 'allow-all',
      neighbours: { z: () => 1 },
    });
    const outer = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'];
    const response = await harness.command('bounce', { target: 'z' }, { callChain: [...outer, BOUNCE_ID] });
    expect(answerOf(response)).toEqual({
      success: false,
      error: `host_plugin_command: cross-plugin call depth limit of 8 reached: ${[...outer, BOUNCE_ID, 'z'].join(' → ')}`,
    });
    expect(harness.crossPluginRefusals.map((refusal) => refusal.reason)).toEqual(['call_depth']);
    await harness.close();
  });

  it('runs two copies of one module against each other and refuses the cycle (isolated lane)', async () => {
    const neighbours: Record<string, HarnessNeighbour> = {};
    const copy = (id: string) =>
      createPluginHarness({
        wasm: bounce,
        lane: 'isolated',
        expectedId: id,
        extismConfig: { plugin_id: id },
        policy: { execute_commands: { include: ['all'] } },
        neighbours,
      });
    const a = await copy('a.bounce');
    const b = await copy('b.bounce');
    neighbours['a.bounce'] = harnessNeighbour(a);
    neighbours['b.bounce'] = harnessNeighbour(b);
    const response = await a.command('bounce', { target: 'b.bounce', back: 'a.bounce' });
    const fromB = answerOf(response) as { success: boolean; data: string };
    expect(fromB.success).toBe(true);
    expect(JSON.parse(fromB.data)).toEqual({
      success: false,
      error:
        'host_plugin_command: cross-plugin call cycle refused: a.bounce → b.bounce → a.bounce (a.bounce is waiting on this call)',
    });
    expect(b.crossPluginRefusals.map((r) => [r.reason, r.chain])).toEqual([
      ['call_cycle', ['a.bounce', 'b.bounce', 'a.bounce']],
    ]);
    expect(a.crossPluginRefusals).toEqual([]);
    // Both still answer normally afterwards.
    expect((await b.command('bounce', {})).error).toBe('bounce: params.target is required');
    await Promise.all([a.close(), b.close()]);
  });

  it('passes a golden neighbour failure through and lets hostFunctions override the harness', async () => {
    const notesHarness = await createPluginHarness({ wasm: notes });
    const harness = await createPluginHarness({
      wasm: bounce,
      lane: 'isolated',
      policy: 'allow-all',
      neighbours: { [NOTES_ID]: harnessNeighbour(notesHarness) },
    });
    expect(answerOf(await harness.command('bounce', { target: NOTES_ID }))).toEqual({
      success: false,
      error:
        'host_plugin_command: plugin plinth-golden.notes@1.0.0 (handle_command) does not handle command "bounce": the manifest does not list it in commands',
    });
    await harness.close();

    const overridden = await createPluginHarness({
      wasm: self,
      hostFunctions: { host_plugin_command: () => JSON.stringify({ success: true, data: 'fake' }) },
    });
    expect(answerOf(await overridden.command('call_self'))).toEqual({ success: true, data: 'fake' });
    expect(overridden.crossPluginRefusals).toEqual([]);
    await Promise.all([overridden.close(), notesHarness.close()]);
  });

  it('answers an internal error for an async neighbour on the in-thread lane', async () => {
    const harness = await createPluginHarness({
      wasm: bounce,
      policy: 'allow-all',
      neighbours: { 'b.bounce': () => Promise.resolve(1) },
    });
    expect(answerOf(await harness.command('bounce', { target: 'b.bounce' }))).toEqual({
      success: false,
      error: 'host_plugin_command: internal error in the host',
    });
    await harness.close();
  });
});
