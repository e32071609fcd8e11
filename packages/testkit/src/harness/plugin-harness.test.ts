import { describe, expect, it } from 'vitest';
import { guestPath } from '../guests/catalogue.js';
import '../vitest/index.js';
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
