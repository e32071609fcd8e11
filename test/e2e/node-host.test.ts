import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createNodeHost,
  type NodeHost,
  type NodeHostEvent,
  type NodeHostLogEntry,
  type NodeHostOptions,
} from '@plinth/host-node';
import { PlinthError } from '@plinth/protocol';
import { getGuest, guestBytes } from '@plinth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const NOTES = 'plinth-golden.notes';
const C = 'plinth-golden.c';
const HTTP = 'plinth-golden.http';
const GUESTS = { [NOTES]: 'as-notes', [C]: 'c-protocol', [HTTP]: 'as-http' } as const;

const README = `---
title: My notes
plugins:
  ${NOTES}:
    permissions:
      read_files: { include: [Notes], exclude: [Notes/secret] }
---
# My notes

Body text that the host must keep byte for byte.
`;
const BODY = README.slice(README.indexOf('# My notes'));

async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The c-protocol guest under another version: its manifest text sits in a data segment. */
function cWithVersion(version: string): Uint8Array {
  const bytes = Buffer.from(guestBytes('c-protocol'));
  const at = bytes.indexOf('"version":"1.0.0"');
  expect(at).toBeGreaterThan(0);
  Buffer.from(`"version":"${version}"`).copy(bytes, at);
  return bytes;
}

let base: string;
let workspace: string;
let pluginsRoot: string;
let host: NodeHost;
const logs: NodeHostLogEntry[] = [];
const events: NodeHostEvent[] = [];
const changes: { type: string; pluginId: string }[] = [];

function hostOptions(): NodeHostOptions {
  return {
    workspaceRoot: workspace,
    pluginsRoot,
    policy: { frontMatter: join(workspace, 'README.md') },
    hostAppVersion: '1.0.0',
    limits: { timeoutMs: 10_000 },
  };
}

beforeAll(async () => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-e2e-node-host-')));
  workspace = join(base, 'workspace');
  pluginsRoot = join(base, 'plugins');
  mkdirSync(join(workspace, 'Notes'), { recursive: true });
  mkdirSync(join(workspace, 'Private'));
  writeFileSync(join(workspace, 'README.md'), README);
  writeFileSync(join(workspace, 'Notes', 'a.md'), 'one two three');
  writeFileSync(join(workspace, 'Private', 'b.md'), 'four five');
  mkdirSync(join(workspace, 'Notes', 'secret'));
  writeFileSync(join(workspace, 'Notes', 'secret', 'c.md'), 'six');
  for (const [id, guest] of Object.entries(GUESTS)) {
    mkdirSync(join(pluginsRoot, id), { recursive: true });
    writeFileSync(join(pluginsRoot, id, 'plugin.wasm'), guestBytes(guest));
  }
  mkdirSync(join(pluginsRoot, 'acme.broken'));
  writeFileSync(join(pluginsRoot, 'acme.broken', 'plugin.wasm'), 'this is not WebAssembly');
  host = await createNodeHost({
    ...hostOptions(),
    onLog: (entry) => logs.push(entry),
    onEvent: (event) => events.push(event),
    onChange: (change) => changes.push(change),
  });
});
afterAll(async () => {
  await host.close();
  rmSync(base, { recursive: true, force: true });
});

const denied = (target: string) =>
  `host_read_file: Permission denied for plugin '${NOTES}': read_files on '${target}'`;
const notConfigured = (target: string) =>
  `host_read_file: Permission not configured for plugin '${NOTES}': read_files on '${target}'. Add plugins.${NOTES}.permissions.read_files to the policy.`;

describe('createNodeHost end to end (isolated lane; tests run in order)', { timeout: 60_000 }, () => {
  it('starts: loads the plugins with their permission summaries and reports the broken folder', async () => {
    const { loaded, problems } = await host.start();
    expect(loaded.map((plugin) => `${plugin.id}@${plugin.version}:${plugin.state}`)).toEqual([
      `${C}@1.0.0:active`,
      `${HTTP}@1.0.0:active`,
      `${NOTES}@1.0.0:active`,
    ]);
    expect(problems).toEqual([expect.objectContaining({ name: 'acme.broken', code: 'invalid_module' })]);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        source: 'host',
        pluginId: 'acme.broken',
        message: problems[0]?.message,
      }),
    );
    const notes = host.plugin(NOTES);
    expect(notes?.permissionSummary).toEqual([
      'read files in Notes/ (except Notes/secret/)',
      'use plugin storage (1 MiB per value)',
    ]);
    expect(notes?.requestedPermissions?.reasons).toEqual({
      read_files: 'Count words and collect #tags in your notes.',
      edit_files: "Update today's daily note.",
      create_files: "Create today's daily note.",
      plugin_storage: 'Remember the last tag index.',
    });
    expect(host.plugin(C)?.permissionSummary).toEqual(['use plugin storage (1 MiB per value)']);
    expect(host.plugins().map((plugin) => plugin.id)).toEqual([C, HTTP, NOTES]);
    expect(changes.filter((change) => change.type === 'loaded').map((change) => change.pluginId)).toEqual([
      C,
      HTTP,
      NOTES,
    ]);
    expect(await host.start()).toEqual({ loaded, problems }); // start is run once
  });

  it('runs word_count on a granted file, denies an ungranted one, and grant/revoke rewrite the README', async () => {
    expect(await host.command(NOTES, 'word_count', { path: 'Notes/a.md' })).toEqual({
      success: true,
      data: { path: 'Notes/a.md', words: 3 },
    });
    expect(await host.command(NOTES, 'word_count', { path: 'Notes/secret/c.md' })).toEqual({
      success: false,
      error: denied('Notes/secret/c.md'),
      error_code: 'permission_denied',
    });
    expect(await host.command(NOTES, 'word_count', { path: 'Private/b.md' })).toEqual({
      success: false,
      error: notConfigured('Private/b.md'),
      error_code: 'permission_denied',
    });
    expect(host.denials().slice(-2)).toMatchObject([
      {
        pluginId: NOTES,
        permission: 'read_files',
        target: 'Notes/secret/c.md',
        outcome: 'denied',
        via: 'host_read_file',
      },
      {
        pluginId: NOTES,
        permission: 'read_files',
        target: 'Private/b.md',
        outcome: 'not_configured',
        via: 'host_read_file',
      },
    ]);
    expect(logs).toContainEqual(
      expect.objectContaining({
        source: 'permissions',
        pluginId: NOTES,
        message: denied('Notes/secret/c.md').slice('host_read_file: '.length),
      }),
    );

    await host.grant(NOTES, 'read_files', 'Private');
    expect(await host.command(NOTES, 'word_count', { path: 'Private/b.md' })).toEqual({
      success: true,
      data: { path: 'Private/b.md', words: 2 },
    });
    const text = readFileSync(join(workspace, 'README.md'), 'utf8');
    expect(text.endsWith(`---\n${BODY}`)).toBe(true);
    expect(text).toContain('title: My notes');
    expect(host.policy().plugins[NOTES]?.permissions.read_files?.include).toEqual(['Notes', 'Private']);
    expect(host.plugin(NOTES)?.permissionSummary[0]).toBe(
      'read files in Notes/ and Private/ (except Notes/secret/)',
    );

    await host.revoke(NOTES, 'read_files', 'Private');
    expect(await host.command(NOTES, 'word_count', { path: 'Private/b.md' })).toEqual({
      success: false,
      error: notConfigured('Private/b.md'),
      error_code: 'permission_denied',
    });
    await host.revoke(NOTES, 'read_files');
    expect(await host.command(NOTES, 'word_count', { path: 'Notes/a.md' })).toEqual({
      success: false,
      error: notConfigured('Notes/a.md'),
      error_code: 'permission_denied',
    });
    expect(readFileSync(join(workspace, 'README.md'), 'utf8').endsWith(`---\n${BODY}`)).toBe(true);
    expect(host.policy().plugins[NOTES]?.permissions).toEqual({});
  });

  it('refuses a bad grant with a typed error naming what was wrong', async () => {
    await expect(host.grant(NOTES, 'read_everything' as never, 'all')).rejects.toMatchObject({
      code: 'invalid_policy',
      message: `grant: "read_everything" is not a permission type (for plugin ${NOTES})`,
    });
    await expect(host.grant('Not An Id', 'read_files', 'all')).rejects.toMatchObject({
      code: 'invalid_plugin_id',
      message: 'grant: "Not An Id" is not a plugin id',
    });
    await expect(host.grant(NOTES, 'read_files', ' ')).rejects.toMatchObject({ code: 'invalid_policy' });
  });

  it('broadcasts a daily_note write to the other plugins but not to the writer', async () => {
    for (const permission of ['read_files', 'edit_files', 'create_files'] as const)
      await host.grant(NOTES, permission, 'Daily');
    const first = await host.command(NOTES, 'daily_note', { date: '2026-03-02', text: 'hello' });
    expect(first).toEqual({ success: true, data: { path: 'Daily/2026-03-02.md', created: true, words: 3 } });
    logs.length = 0;
    events.length = 0;
    const second = await host.command(NOTES, 'daily_note', { date: '2026-03-02', text: 'again' });
    expect(second).toEqual({
      success: true,
      data: { path: 'Daily/2026-03-02.md', created: false, words: 4 },
    });
    await host.settled();
    expect(events).toEqual([
      { type: 'file_event', pluginId: NOTES, event_type: 'file_saved', path: 'Daily/2026-03-02.md' },
    ]);
    const heard = logs
      .filter((entry) => entry.source === 'guest' && entry.message.includes('file_saved'))
      .map((entry) => entry.pluginId)
      .sort();
    expect(heard).toEqual([C, HTTP]);
    // Had the writer heard its own event it would have emitted a word count event (and these lines).
    expect(await host.command(NOTES, 'ping')).toEqual({ success: true, data: 'pong' });
    expect(events.filter((event) => event.type === 'plugin_event')).toEqual([]);
    expect(logs.filter((entry) => entry.pluginId === NOTES && entry.source === 'guest')).toEqual([]);
  });

  it('names the plugin and command of an unknown plugin or an undeclared command', async () => {
    const missing = await host.command('acme.missing', 'ping').catch((error: unknown) => error);
    expect(PlinthError.isInstance(missing) && [missing.code, missing.message]).toEqual([
      'not_handled',
      'no plugin acme.missing is loaded',
    ]);
    const undeclared = await host.command(C, 'format_disk').catch((error: unknown) => error);
    expect(PlinthError.isInstance(undeclared) && undeclared.code).toBe('not_handled');
    expect((undeclared as Error).message).toMatch(
      /plinth-golden\.c.*does not handle command "format_disk": the manifest does not list it in commands/,
    );
  });

  it('uninstalls, refuses a wrong sha256 leaving nothing behind, then installs and grants with consent', async () => {
    const source = join(base, 'as-http.wasm');
    writeFileSync(source, guestBytes('as-http'));
    changes.length = 0;
    await host.uninstall(HTTP);
    expect(host.plugin(HTTP)).toBeUndefined();
    expect(readdirSync(pluginsRoot).sort()).toEqual(['.plinth', 'acme.broken', C, NOTES]);
    expect(changes).toEqual([
      { type: 'unloaded', pluginId: HTTP },
      { type: 'uninstalled', pluginId: HTTP },
    ]);

    const wrong = '0'.repeat(64);
    await expect(host.install({ path: source }, { sha256: wrong })).rejects.toMatchObject({
      reason: 'sha256_mismatch',
      message: `cannot install from ${source}: sha256 mismatch: expected ${wrong}, got ${getGuest('as-http').sha256}`,
    });
    expect(readdirSync(pluginsRoot).sort()).toEqual(['.plinth', 'acme.broken', C, NOTES]);
    expect(host.policy().plugins[HTTP]).toBeUndefined();

    const result = await host.install(
      { path: source },
      { sha256: getGuest('as-http').sha256, grantRequested: true },
    );
    expect(result).toMatchObject({
      id: HTTP,
      version: '1.0.0',
      outcome: 'installed',
      granted: ['http_requests'],
      notGranted: undefined,
    });
    expect(changes.slice(2, 4)).toEqual([
      { type: 'loaded', pluginId: HTTP },
      { type: 'installed', pluginId: HTTP },
    ]);
    expect(host.policy().plugins[HTTP]?.permissions.http_requests).toEqual({ include: ['all'], exclude: [] });
    expect(host.plugin(HTTP)?.permissionSummary).toContain('make HTTP requests to any host');
    expect(await host.command(HTTP, 'ping')).toEqual({ success: true, data: 'pong' });
    expect(readFileSync(join(workspace, 'README.md'), 'utf8').endsWith(`---\n${BODY}`)).toBe(true);
  });

  it('hot-reloads a plugin whose plugin.wasm was replaced', async () => {
    changes.length = 0;
    writeFileSync(join(pluginsRoot, C, 'plugin.wasm'), cWithVersion('1.0.1'));
    await waitFor(() => host.plugin(C)?.version === '1.0.1', 'the hot reload');
    expect(changes).toContainEqual({ type: 'reloaded', pluginId: C });
    expect(await host.command(C, 'ping')).toEqual({ success: true, data: 'pong' });
  });

  it('closes idempotently and refuses work afterwards', async () => {
    const closing = host.close();
    expect(host.close()).toBe(closing);
    await closing;
    expect(host.plugins()).toEqual([]);
    await expect(host.command(NOTES, 'ping')).rejects.toMatchObject({
      code: 'closed',
      message: 'the Node host is closed; cannot command',
    });
  });
});

describe('createNodeHost in a process of its own', { timeout: 60_000 }, () => {
  it('leaves no open handles after close(): the process exits by itself', async () => {
    const script = `
      import { createNodeHost } from '@plinth/host-node';
      const [workspaceRoot, pluginsRoot] = process.argv.slice(1);
      const host = await createNodeHost({
        workspaceRoot, pluginsRoot, hostAppVersion: '1.0.0',
        policy: { frontMatter: workspaceRoot + '/README.md' },
      });
      await host.start();
      const answer = await host.command('${C}', 'ping');
      await host.close();
      process.stdout.write(JSON.stringify(answer));
    `;
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-e2e-node-host-exit-')));
    try {
      mkdirSync(join(dir, 'workspace'));
      mkdirSync(join(dir, 'plugins', C), { recursive: true });
      writeFileSync(join(dir, 'plugins', C, 'plugin.wasm'), guestBytes('c-protocol'));
      const child = spawn(
        process.execPath,
        ['--input-type=module', '-e', script, join(dir, 'workspace'), join(dir, 'plugins')],
        { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // A leaked handle keeps the child alive; it is then killed so the test fails instead of hanging.
      const killer = setTimeout(() => child.kill(), 45_000);
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      clearTimeout(killer);
      expect({ code, stdout }).toEqual({ code: 0, stdout: '{"success":true,"data":"pong"}' });
      expect(stderr).not.toContain('Error');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
