import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guestBytes } from '../directory/__fixtures__/plugins-root.js';
import { createNodeHost } from './create-node-host.js';
import type { NodeHost, NodeHostEvent, NodeHostLogEntry, NodeHostOptions } from './node-host-types.js';

const NOTES = 'plinth-golden.notes';
const C = 'plinth-golden.c';
const HTTP = 'plinth-golden.http';

let base: string;
let host: NodeHost | undefined;
const logs: NodeHostLogEntry[] = [];
const events: NodeHostEvent[] = [];

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'plinth-node-host-'));
  mkdirSync(join(base, 'workspace', 'Notes'), { recursive: true });
  writeFileSync(join(base, 'workspace', 'Notes', 'a.md'), 'alpha #tag beta');
  for (const [id, guest] of [
    [NOTES, 'golden/as-notes'],
    [C, 'golden/c-protocol'],
    [HTTP, 'golden/as-http'],
  ] as const) {
    mkdirSync(join(base, 'plugins', id), { recursive: true });
    writeFileSync(join(base, 'plugins', id, 'plugin.wasm'), guestBytes(guest));
  }
  logs.length = 0;
  events.length = 0;
});
afterEach(async () => {
  await host?.close();
  host = undefined;
  await rm(base, { recursive: true, force: true });
});

const policyPath = () => join(base, 'policy.json');

/** A host on the in-thread lane without watchers: quick, and the lane the async functions do not work on. */
async function open(extra: Partial<NodeHostOptions> = {}): Promise<NodeHost> {
  host = await createNodeHost({
    workspaceRoot: join(base, 'workspace'),
    pluginsRoot: join(base, 'plugins'),
    policy: { file: policyPath() },
    hostAppVersion: '1.0.0',
    lane: 'in-thread',
    watch: false,
    onLog: (entry) => logs.push(entry),
    onEvent: (event) => events.push(event),
    ...extra,
  });
  await host.start();
  return host;
}

describe('createNodeHost on the in-thread lane', () => {
  it('serves files, SQLite storage and events; the async functions answer an internal error there', async () => {
    writeFileSync(
      policyPath(),
      JSON.stringify({
        plugins: { [NOTES]: { permissions: { read_files: { include: ['all'], exclude: [] } } } },
      }),
    );
    const node = await open();
    expect(await node.command(NOTES, 'tag_index')).toEqual({
      success: true,
      data: { tags: { tag: ['Notes/a.md'] }, files: 1 },
    });
    expect(await node.command(NOTES, 'last_index')).toEqual({
      success: true,
      data: { tags: { tag: ['Notes/a.md'] }, files: 1 },
    });
    expect(existsSync(join(base, 'plugins', '.plinth', 'plinth.db'))).toBe(true);
    expect(await node.command(NOTES, 'emit', { event_type: 'x.y', payload: { n: 1 } })).toMatchObject({
      success: true,
    });
    expect(events).toEqual([
      { type: 'plugin_event', pluginId: NOTES, payload: { event_type: 'x.y', payload: { n: 1 } } },
    ]);
    const fetched = await node.command(HTTP, 'fetch', { url: 'https://example.com/' });
    // Its handler answers a promise, which the in-thread lane cannot wait for.
    expect(fetched).toEqual({
      success: false,
      error: 'host_http_request: internal error in the host',
      error_code: 'http_error',
    });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', source: 'host', pluginId: HTTP }));
  });

  it('keeps a plugins root and database inside the workspace out of a plugin that may read everything', async () => {
    const inner = join(base, 'workspace', '.plinth', 'plugins');
    mkdirSync(join(inner, NOTES), { recursive: true });
    writeFileSync(join(inner, NOTES, 'plugin.wasm'), guestBytes('golden/as-notes'));
    writeFileSync(join(inner, NOTES, 'notes.md'), '#leak');
    writeFileSync(
      policyPath(),
      JSON.stringify({
        plugins: { [NOTES]: { permissions: { read_files: { include: ['all'], exclude: [] } } } },
      }),
    );
    const node = await open({ pluginsRoot: inner });
    expect(await node.command(NOTES, 'tag_index')).toEqual({
      success: true,
      data: { tags: { tag: ['Notes/a.md'] }, files: 1 },
    });
    expect(await node.command(NOTES, 'word_count', { path: '.plinth/plugins/.plinth/plinth.db' })).toEqual({
      success: false,
      error: 'host_read_file: ".plinth/plugins/.plinth/plinth.db" does not exist',
      error_code: 'host_error',
    });
  });

  it('keeps only the newest denials, and a throwing listener does not break the host', async () => {
    const node = await open({
      denialsKept: 2,
      onLog: () => {
        throw new Error('listener bug');
      },
    });
    for (const path of ['Notes/a.md', 'Notes/b.md', 'Notes/c.md']) {
      expect(await node.command(NOTES, 'word_count', { path })).toMatchObject({
        success: false,
        error_code: 'permission_denied',
      });
    }
    expect(node.denials().map((decision) => decision.target)).toEqual(['Notes/b.md', 'Notes/c.md']);
  });

  it('serializes concurrent grants so none is lost, and a revoke of nothing writes nothing', async () => {
    const node = await open();
    await node.revoke(NOTES, 'read_files', 'Notes');
    expect(existsSync(policyPath())).toBe(false);
    await Promise.all([
      node.grant(NOTES, 'read_files', 'Notes'),
      node.grant(NOTES, 'edit_files', 'Notes'),
      node.grant(C, 'execute_commands', `${NOTES}:ping`),
    ]);
    const saved = JSON.parse(readFileSync(policyPath(), 'utf8')) as unknown;
    expect(saved).toEqual({
      plugins: {
        [NOTES]: {
          permissions: {
            read_files: { include: ['Notes'], exclude: [] },
            edit_files: { include: ['Notes'], exclude: [] },
          },
        },
        [C]: { permissions: { execute_commands: { include: [`${NOTES}:ping`], exclude: [] } } },
      },
    });
    expect(await node.command(NOTES, 'word_count', { path: 'Notes/a.md' })).toEqual({
      success: true,
      data: { path: 'Notes/a.md', words: 3 },
    });
  });

  it('reload loads a folder the host does not run yet, and names a folder that is not there', async () => {
    const node = await open();
    await node.uninstall(C);
    expect(node.plugin(C)).toBeUndefined();
    mkdirSync(join(base, 'plugins', C));
    writeFileSync(join(base, 'plugins', C, 'plugin.wasm'), guestBytes('golden/c-protocol'));
    expect(await node.reload(C)).toMatchObject({ id: C, state: 'active' });
    await expect(node.reload('acme.nothing')).rejects.toMatchObject({
      code: 'load_failed',
      message: expect.stringMatching(/^cannot read .*plugins\/acme\.nothing: ENOENT/),
    });
    await expect(node.uninstall('acme.nothing')).rejects.toMatchObject({ reason: 'not_installed' });
  });

  it('replaces an installed plugin only when asked, and hot-reloads it', async () => {
    const changes: string[] = [];
    const node = await open({ onChange: (change) => changes.push(`${change.type} ${change.pluginId}`) });
    const bytes = Buffer.from(guestBytes('golden/c-protocol'));
    bytes.write('"version":"1.0.1"', bytes.indexOf('"version":"1.0.0"'));
    expect(await node.install({ bytes: guestBytes('golden/c-protocol') })).toMatchObject({
      outcome: 'unchanged',
    });
    await expect(node.install({ bytes })).rejects.toMatchObject({ reason: 'already_installed' });
    expect(await node.install({ bytes, replace: true })).toMatchObject({
      outcome: 'replaced',
      version: '1.0.1',
    });
    expect(node.plugin(C)?.version).toBe('1.0.1');
    expect(changes.slice(-2)).toEqual([`reloaded ${C}`, `installed ${C}`]);
  });

  it('rejects every call after close, and close twice is one close', async () => {
    const node = await open();
    const first = node.close();
    expect(node.close()).toBe(first);
    await first;
    await expect(node.start()).rejects.toMatchObject({ code: 'closed' });
    await expect(node.grant(NOTES, 'read_files', 'all')).rejects.toMatchObject({
      code: 'closed',
      message: 'the Node host is closed; cannot grant',
    });
    expect(node.plugins()).toEqual([]);
  });
});
