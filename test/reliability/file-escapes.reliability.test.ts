// File escapes, tried as an attacker would: traversal spellings against every file host function, symlink
// aliases of the host's own files (through the wire and through a real Node host running a golden guest),
// and another process swapping symlinks over workspace names while the host reads and writes them.
import { createHash } from 'node:crypto';
import {
  existsSync,
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
import { createNodeHost, type NodeHost } from '@plinth/host-node';
import { createFsBundle, createNodeWorkspaceFiles } from '@plinth/host-node/fs';
import { createAllowAllChecker } from '@plinth/permissions';
import type { HostFunctionName } from '@plinth/protocol';
import { serveBundleCall, type HostBundle } from '@plinth/host-kit';
import { guestBytes } from '@plinth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareRace, raceSwaps } from './__fixtures__/swap-race.js';
import { printFigureLast, size } from './__fixtures__/reliability.js';

const SECRET = 'OUTSIDE-SECRET-7f3a';
const DB = 'DATABASE-SECRETS-91c2';
const MODULE = 'PLUGIN-MODULE-BYTES-4be0';
const POLICY = '---\nplugins: {}\n---\n';
const markers = [SECRET, DB, MODULE].flatMap((text) => [
  text,
  Buffer.from(text).toString('base64'),
  createHash('sha256').update(text).digest('hex'),
]);

let base: string;
let workspace: string;
let outside: string;
const figure = { attacks: 0, swaps: 0, raceOperations: 0, raceAnswered: 0, escapes: 0 };
printFigureLast('file-escapes', () => figure);

/** Everything under a folder with file contents, to prove that nothing outside or of the host changed. */
function snapshot(dir: string): string {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name);
    out.push(
      `${full}:${entry.isFile() ? readFileSync(full, 'utf8') : entry.isDirectory() ? '<dir>' : '<link>'}`,
    );
  }
  return out.sort().join('\n');
}

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-file-escapes-')));
  workspace = join(base, 'workspace');
  outside = join(base, 'outside');
  mkdirSync(join(workspace, 'notes'), { recursive: true });
  mkdirSync(join(workspace, '.plinth', 'plugins', 'acme.victim', '.plinth'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.md'), SECRET);
  writeFileSync(join(base, 'secret.md'), SECRET);
  writeFileSync(join(workspace, 'notes', 'a.md'), 'inside');
  writeFileSync(join(workspace, 'README.md'), POLICY);
  writeFileSync(join(workspace, '.plinth', 'plugins', 'acme.victim', 'plugin.wasm'), MODULE);
  writeFileSync(join(workspace, '.plinth', 'plugins', '.plinth-db'), DB);
  // Aliases a synced folder or a git checkout could hold.
  symlinkSync(outside, join(workspace, 'link-out'), 'dir');
  symlinkSync(join(outside, 'secret.md'), join(workspace, 'secret-link.md'));
  symlinkSync(join(workspace, '.plinth'), join(workspace, 'plinth-alias'), 'dir');
  symlinkSync(join(workspace, '.plinth', 'plugins'), join(workspace, 'plugins-alias'), 'dir');
  symlinkSync(join(workspace, '.plinth', 'plugins', '.plinth-db'), join(workspace, 'db-alias'));
  symlinkSync(join(workspace, 'README.md'), join(workspace, 'readme-alias'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Path spellings that try to leave the workspace or reach the host's files. */
function attackPaths(): string[] {
  const up = [
    '..',
    '%2e%2e',
    '%2E%2E',
    '%252e%252e',
    '.%2e',
    '%2e.',
    '..%2f..',
    '..\\..',
    '..%5c',
    'notes/../..',
  ];
  const paths = up.flatMap((step) => [
    `${step}/secret.md`,
    `${step}/outside/secret.md`,
    `notes/${step}/../secret.md`,
  ]);
  paths.push(
    join(outside, 'secret.md'),
    join(base, 'secret.md'),
    '/etc/passwd',
    '//server/share/secret.md',
    'C:\\Windows\\win.ini',
    'file:///etc/passwd',
    'secret.md\u0000.txt',
    '%00/secret.md',
    'link-out/secret.md',
    'link-out',
    'secret-link.md',
    '.plinth/plugins/acme.victim/plugin.wasm',
    '.PLINTH/Plugins/acme.victim/plugin.wasm',
    '.plinth/plugins/.plinth-db',
    './.plinth/./plugins/.plinth-db',
    'plinth-alias/plugins/.plinth-db',
    'plinth-alias/plugins/acme.victim/plugin.wasm',
    'plugins-alias/acme.victim/plugin.wasm',
    'plugins-alias/acme.planted/plugin.wasm',
    'plugins-alias',
    'plinth-alias',
    '.plinth',
    'db-alias',
    'readme-alias',
    'README.md',
  );
  return paths;
}

/** Every workspace-file host function that takes a path (host_request_file reads the app's, not the disk). */
const FILE_FUNCTIONS: readonly HostFunctionName[] = [
  'host_read_file',
  'host_read_binary',
  'host_list_files',
  'host_list_dir',
  'host_file_exists',
  'host_file_metadata',
  'host_hash_file',
  'host_write_file',
  'host_write_binary',
  'host_delete_file',
];

function requestFor(name: HostFunctionName, path: string): object {
  switch (name) {
    case 'host_list_files':
      return { prefix: path };
    case 'host_write_file':
      return { path, content: 'planted' };
    case 'host_write_binary':
      return { path, content: Buffer.from('planted').toString('base64') };
    default:
      return { path };
  }
}

/** Whether an answer gives away something of the outside or of the host's files. */
function leaks(name: HostFunctionName, path: string, answer: string): boolean {
  if (markers.some((marker) => answer.includes(marker))) return true;
  if (name === 'host_list_files' || name === 'host_list_dir') {
    // An error echoes the requested path; only a listing's entries count.
    const listed: unknown = JSON.parse(answer);
    return (
      Array.isArray(listed) &&
      listed.some((entry) => /secret|plugin\.wasm|plinth-db|^\.plinth|-alias$/.test(String(entry)))
    );
  }
  if (name === 'host_file_exists' || name === 'host_file_metadata') {
    // Only the policy file (read-only, not hidden) and its alias may be seen.
    const visible = path === 'README.md' || path === 'readme-alias';
    return !visible && /true/.test(answer);
  }
  return false;
}

describe('file escapes', () => {
  it('traversal spellings and host-file aliases through every file host function: 0 escapes', () => {
    const hidden = [join(workspace, '.plinth', 'plugins')];
    const bundle: HostBundle = createFsBundle({
      root: workspace,
      permissions: createAllowAllChecker(),
      hostPaths: { hidden, readOnly: [join(workspace, 'README.md')] },
    });
    const before = { outside: snapshot(outside), host: snapshot(join(workspace, '.plinth')) };
    // The whole workspace as a plugin sees it: no host file, no alias of one, nothing outside.
    const listed = serveBundleCall(bundle, 'host_list_files', '{"prefix":""}', {
      pluginId: 'acme.attacker',
      exportName: 'handle_command',
    });
    if (listed instanceof Promise) throw new Error('host_list_files answered a promise');
    expect(JSON.parse(String(listed.answer))).toEqual(['README.md', 'notes', 'notes/a.md', 'readme-alias']);
    for (const path of attackPaths()) {
      for (const name of FILE_FUNCTIONS) {
        figure.attacks += 1;
        const served = serveBundleCall(bundle, name, JSON.stringify(requestFor(name, path)), {
          pluginId: 'acme.attacker',
          exportName: 'handle_command',
        });
        if (served instanceof Promise) throw new Error(`${name} answered a promise`);
        const answer =
          typeof served.answer === 'string' ? served.answer : Buffer.from(served.answer).toString();
        if (leaks(name, path, answer)) {
          figure.escapes += 1;
          expect.soft(answer, `${name} ${JSON.stringify(path)}`).toBe('no leak');
        }
      }
    }
    const after = { outside: snapshot(outside), host: snapshot(join(workspace, '.plinth')) };
    if (after.outside !== before.outside) figure.escapes += 1;
    if (after.host !== before.host) figure.escapes += 1;
    expect(after).toEqual(before);
    expect(readFileSync(join(workspace, 'README.md'), 'utf8')).toBe(POLICY);
    expect(figure.escapes).toBe(0);
  });

  describe('through a real Node host and a golden guest', () => {
    const NOTES = 'plinth-golden.notes';
    let hostBase: string;
    let host: NodeHost;
    let ws: string;

    beforeAll(async () => {
      hostBase = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-file-escapes-host-')));
      ws = join(hostBase, 'workspace');
      const plugins = join(ws, '.plinth', 'plugins');
      mkdirSync(join(plugins, NOTES), { recursive: true });
      writeFileSync(join(plugins, NOTES, 'plugin.wasm'), guestBytes('as-notes'));
      const all = '{ include: [all] }';
      writeFileSync(
        join(ws, 'README.md'),
        `---\nplugins:\n  ${NOTES}:\n    permissions:\n      read_files: ${all}\n      edit_files: ${all}\n      create_files: ${all}\n---\n`,
      );
      // `Daily` (where daily_note writes) leads into the plugins root; aliases of the database and policy.
      symlinkSync(join(plugins, NOTES), join(ws, 'Daily'), 'dir');
      symlinkSync(join(plugins, '.plinth', 'plinth.db'), join(ws, 'db-alias.md'));
      host = await createNodeHost({
        workspaceRoot: ws,
        pluginsRoot: plugins,
        policy: { frontMatter: join(ws, 'README.md') },
        hostAppVersion: '1.0.0',
        lane: 'in-thread',
        watch: false,
      });
      const { loaded } = await host.start();
      expect(loaded.map((plugin) => plugin.id)).toEqual([NOTES]);
    });
    afterAll(async () => {
      await host.close();
      rmSync(hostBase, { recursive: true, force: true });
    });

    it('a guest with every file permission reads no database, writes no module folder, lists no host file', async () => {
      const database = await host.command(NOTES, 'word_count', { path: 'db-alias.md' });
      figure.attacks += 3;
      expect(database).toMatchObject({ success: false });
      expect(JSON.stringify(database)).toContain('does not exist');
      const planted = await host.command(NOTES, 'daily_note', { date: '2026-01-01', text: 'planted' });
      expect(planted).toMatchObject({ success: false });
      expect(JSON.stringify(planted)).toContain('reserved for the host');
      expect(existsSync(join(ws, '.plinth', 'plugins', NOTES, '2026-01-01.md'))).toBe(false);
      // tag_index lists the workspace and reads every .md file: the alias must not be among them.
      const tags = await host.command(NOTES, 'tag_index');
      expect(tags).toMatchObject({ success: true });
    });
  });

  it('symlinks swapped over workspace names during reads and writes: 0 escapes', async () => {
    const raceBase = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-file-race-')));
    try {
      const ws = join(raceBase, 'workspace');
      const out = join(raceBase, 'outside');
      prepareRace(ws, out);
      const result = await raceSwaps(
        createNodeWorkspaceFiles({ root: ws }),
        ws,
        out,
        size({ short: 3_000, long: 60_000 }),
      );
      figure.swaps += result.swaps;
      figure.raceOperations += result.operations;
      figure.raceAnswered += result.answered;
      figure.escapes += result.escapes;
      // The race must have been run for real: swaps happened and the host answered some operations.
      expect(result.swaps).toBeGreaterThan(50);
      expect(result.answered).toBeGreaterThan(100);
      expect(result.escapes).toBe(0);
    } finally {
      rmSync(raceBase, { recursive: true, force: true });
    }
  });
});
