import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsBundle } from '@plinth/host-node/fs';
import { createPolicyChecker } from '@plinth/permissions';
import { fileEventToGuestEvent, type FileEvent } from '@plinth/host-kit';
import { openProtocolPluginFrom, type ProtocolPlugin } from '@plinth/runtime';
import { guestBytes } from '@plinth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let base: string;
let workspace: string;
let plugin: ProtocolPlugin | undefined;

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-e2e-files-')));
  workspace = join(base, 'workspace');
  mkdirSync(workspace);
});
afterEach(async () => {
  await plugin?.shutdown();
  plugin = undefined;
  rmSync(base, { recursive: true, force: true });
});

/** Every path under a folder with its content (or a marker): to prove what changed and what did not. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name);
    out[full.slice(dir.length + 1)] = entry.isFile()
      ? readFileSync(full, 'utf8')
      : entry.isDirectory()
        ? '<dir>'
        : '<link>';
  }
  return out;
}

describe('golden as-notes on the real fs bundle (in-thread lane)', () => {
  const NOTES_ID = 'plinth-golden.notes';

  async function openNotes(permissions: object) {
    const fileEvents: FileEvent[] = [];
    const emitted: unknown[] = [];
    plugin = await openProtocolPluginFrom({
      source: { bytes: guestBytes('as-notes') },
      hostAppVersion: '1.0.0',
      expectedId: NOTES_ID,
      initContext: { workspace_root: workspace },
      bundle: {
        ...createFsBundle({
          root: workspace,
          permissions: createPolicyChecker({ policy: { plugins: { [NOTES_ID]: { permissions } } } }),
          onFileEvent: (event) => fileEvents.push(event),
        }),
        // Minimal stand-ins for other capabilities the guest touches (their bundles have their own tests).
        host_storage_set: () => '',
        host_emit_event: (event) => {
          emitted.push(event);
          return '';
        },
        host_log: () => '',
      },
    });
    return { plugin, fileEvents, emitted };
  }

  const all = { include: ['all'] };

  it('word_count reads a note; daily_note creates then edits one; tag_index lists and reads them all', async () => {
    mkdirSync(join(workspace, 'Projects'));
    writeFileSync(join(workspace, 'Projects', 'plan.md'), 'Plan for Zoë 🌍 #work #ideas\n');
    writeFileSync(join(workspace, 'Projects', 'image.png'), 'not markdown');
    const { plugin, fileEvents } = await openNotes({
      read_files: all,
      edit_files: { include: ['Daily'] },
      create_files: { include: ['Daily'] },
    });

    expect(await plugin.command('word_count', { path: 'Projects/plan.md' })).toEqual({
      success: true,
      data: { path: 'Projects/plan.md', words: 6 },
    });
    expect(await plugin.command('daily_note', { date: '2026-11-22', text: 'Met Zoë #work' })).toEqual({
      success: true,
      data: { path: 'Daily/2026-11-22.md', created: true, words: 5 },
    });
    expect(await plugin.command('daily_note', { date: '2026-11-22', text: 'Second line' })).toEqual({
      success: true,
      data: { path: 'Daily/2026-11-22.md', created: false, words: 7 },
    });
    expect(readFileSync(join(workspace, 'Daily', '2026-11-22.md'), 'utf8')).toBe(
      '# 2026-11-22\nMet Zoë #work\nSecond line\n',
    );
    expect(fileEvents).toEqual([
      { type: 'file_created', path: 'Daily/2026-11-22.md', pluginId: NOTES_ID },
      { type: 'file_saved', path: 'Daily/2026-11-22.md', pluginId: NOTES_ID },
    ]);
    expect(await plugin.command('tag_index')).toEqual({
      success: true,
      data: {
        tags: { ideas: ['Projects/plan.md'], work: ['Daily/2026-11-22.md', 'Projects/plan.md'] },
        files: 2,
      },
    });
  });

  it('a file event broadcast back to the guest makes it read the saved note', async () => {
    const { plugin, fileEvents, emitted } = await openNotes({
      read_files: all,
      create_files: { include: ['Daily'] },
    });
    await plugin.command('daily_note', { date: '2026-11-23', text: 'one two three' });
    // Events go out after the command returns: an instance is not reentrant.
    for (const event of fileEvents) await plugin.event(fileEventToGuestEvent(event));
    expect(emitted).toEqual([
      {
        event_type: `${NOTES_ID}.word_count`,
        payload: { path: 'Daily/2026-11-23.md', words: 5 },
      },
    ]);
  });

  it('turns host failures into command errors carrying the host message', async () => {
    writeFileSync(join(workspace, 'README.md'), 'readme');
    const { plugin } = await openNotes({ read_files: { include: ['Daily'] } });
    expect(await plugin.command('word_count', { path: 'README.md' })).toEqual({
      success: false,
      error: `host_read_file: Permission not configured for plugin '${NOTES_ID}': read_files on 'README.md'. Add plugins.${NOTES_ID}.permissions.read_files to the policy.`,
      error_code: 'permission_denied',
    });
    expect(await plugin.command('word_count', { path: 'Daily/none.md' })).toEqual({
      success: false,
      error: 'host_read_file: "Daily/none.md" does not exist',
      error_code: 'host_error',
    });
    expect(await plugin.command('daily_note', { date: '2026-11-24' })).toEqual({
      success: false,
      error: `host_write_file: Permission not configured for plugin '${NOTES_ID}': create_files on 'Daily/2026-11-24.md'. Add plugins.${NOTES_ID}.permissions.create_files to the policy.`,
      error_code: 'permission_denied',
    });
    expect(tree(workspace)).toEqual({ 'README.md': 'readme' });
  });
});

describe('hostile-fs-escape on the real fs bundle', () => {
  const ESCAPE_ID = 'hostile.fs-escape';

  async function openEscape() {
    plugin = await openProtocolPluginFrom({
      source: { bytes: guestBytes('hostile-fs-escape') },
      hostAppVersion: '1.0.0',
      expectedId: ESCAPE_ID,
      bundle: createFsBundle({
        root: workspace,
        // Everything granted: the refusals must come from containment, not from the policy.
        permissions: createPolicyChecker({
          policy: {
            plugins: {
              [ESCAPE_ID]: {
                permissions: {
                  read_files: { include: ['all'] },
                  edit_files: { include: ['all'] },
                  create_files: { include: ['all'] },
                },
              },
            },
          },
        }),
      }),
    });
    return plugin;
  }

  const outcomes: [string, string][] = [
    [
      'read_parent',
      '{"error":"host_read_file: invalid path \\"../secret.txt\\": contains a \\"..\\" segment"}',
    ],
    [
      'read_encoded',
      '{"error":"host_read_file: invalid path \\"%2e%2e/secret.txt\\": contains a percent-encoded \\"..\\" segment"}',
    ],
    [
      'read_absolute',
      '{"error":"host_read_file: invalid path \\"/etc/passwd\\": is an absolute path outside the workspace root"}',
    ],
    ['read_symlink', '{"error":"host_read_file: \\"link-out/secret.txt\\" resolves outside the workspace"}'],
    ['write_parent', 'host_write_file: invalid path "../evil.txt": contains a ".." segment'],
    ['list_root_escape', '{"error":"host_list_files: invalid path \\"../\\": contains a \\"..\\" segment"}'],
  ];

  it.each(outcomes)(
    '%s is refused with the right message and touches nothing outside',
    async (command, answer) => {
      writeFileSync(join(base, 'secret.txt'), 'PARENT SECRET');
      mkdirSync(join(base, 'outside'));
      writeFileSync(join(base, 'outside', 'secret.txt'), 'LINKED SECRET');
      symlinkSync(join(base, 'outside'), join(workspace, 'link-out'), 'dir');
      writeFileSync(join(workspace, 'note.md'), 'mine');
      const before = tree(base);
      const escape = await openEscape();

      expect(await escape.command(command)).toEqual({ success: true, data: answer });
      expect(tree(base)).toEqual(before);
      expect(answer).not.toMatch(/SECRET|root:/);
    },
  );
});
