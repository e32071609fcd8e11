import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guestBytes } from '../directory/__fixtures__/plugins-root.js';
import { uncovered } from '@plinth/host-kit';
import { HOST_FUNCTIONS } from '@plinth/protocol';
import { createNodeHost } from './create-node-host.js';
import type { CallRecord } from '@plinth/runtime';
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
  it('serves every catalogue function but the unsupported ones, capability by capability', async () => {
    const rows = (await open()).coverage();
    expect(uncovered(rows)).toEqual([]);
    // The functions no Plinth host implements answer "not available": none is served.
    expect(rows.find((row) => row.capability === 'unsupported')?.served).toEqual([]);
    expect(rows.flatMap((row) => row.served)).toHaveLength(
      HOST_FUNCTIONS.filter((spec) => spec.capability !== 'unsupported').length,
    );
  });

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
    expect(await node.install({ bytes }, { replace: true })).toMatchObject({
      outcome: 'replaced',
      version: '1.0.1',
    });
    expect(node.plugin(C)?.version).toBe('1.0.1');
    expect(changes.slice(-2)).toEqual([`reloaded ${C}`, `installed ${C}`]);
  });

  it('installs with no grants by default, and says what the plugin asks for', async () => {
    const node = await open();
    await node.uninstall(HTTP);
    const result = await node.install({ bytes: guestBytes('golden/as-http') });
    const request = {
      pluginId: HTTP,
      version: '1.0.0',
      name: expect.any(String) as string,
      permissions: { http_requests: { include: ['all'], exclude: [] } },
      asks: [
        {
          permission: 'http_requests',
          description: 'make HTTP requests to any host',
          reason: 'Fetch the URLs you ask for.',
        },
      ],
    };
    expect(result).toMatchObject({ outcome: 'installed', granted: [], notGranted: request });
    expect(existsSync(policyPath())).toBe(false);
    expect(node.plugin(HTTP)).toMatchObject({ state: 'active', notGranted: request });
    expect(node.plugin(C)?.notGranted).toBeUndefined();
  });

  it('grants what the manifest asks for with consent, never over a rule the user set', async () => {
    const node = await open();
    await node.uninstall(HTTP);
    const asked: unknown[] = [];
    const declined = await node.install(
      { bytes: guestBytes('golden/as-http') },
      { grantRequested: (request) => (asked.push(request.permissions), false) },
    );
    expect(declined).toMatchObject({ granted: [], notGranted: { pluginId: HTTP } });
    // The same bytes again: nothing to install, but the missing grants are still on offer.
    const accepted = await node.install(
      { bytes: guestBytes('golden/as-http') },
      { grantRequested: (request) => (asked.push(request.permissions), Promise.resolve(true)) },
    );
    expect(accepted).toMatchObject({
      outcome: 'unchanged',
      granted: ['http_requests'],
      notGranted: undefined,
    });
    const http = { http_requests: { include: ['all'], exclude: [] } };
    expect(asked).toEqual([http, http]);
    expect(node.policy().plugins[HTTP]?.permissions.http_requests).toEqual({ include: ['all'], exclude: [] });
    expect(node.plugin(HTTP)?.notGranted).toBeUndefined();

    await node.revoke(HTTP, 'http_requests');
    await node.grant(HTTP, 'http_requests', 'example.com');
    const narrowed = await node.install({ bytes: guestBytes('golden/as-http') }, { grantRequested: true });
    expect(narrowed).toMatchObject({ granted: [], notGranted: undefined });
    expect(node.policy().plugins[HTTP]?.permissions.http_requests?.include).toEqual(['example.com']);
  });

  it('removes a new plugin whose consent callback throws', async () => {
    const node = await open();
    await node.uninstall(HTTP);
    await expect(
      node.install(
        { bytes: guestBytes('golden/as-http') },
        {
          grantRequested: () => {
            throw new Error('prompt closed');
          },
        },
      ),
    ).rejects.toThrow('prompt closed');
    expect(existsSync(join(base, 'plugins', HTTP))).toBe(false);
    expect(node.plugin(HTTP)).toBeUndefined();
  });

  it('refuses request files that are not bytes and a signal whose params cannot carry the token', async () => {
    const node = await open();
    const files = { input: 'text' } as unknown as Record<string, Uint8Array>;
    await expect(node.command(C, 'ping', null, { files })).rejects.toMatchObject({
      code: 'invalid_options',
      message: `command ${C} ping: option \`files.input\` must be a Uint8Array (got string)`,
    });
    const signal = new AbortController().signal;
    await expect(node.command(C, 'echo', [1], { signal })).rejects.toMatchObject({
      code: 'invalid_params',
      message: `command ${C} echo: a call with a signal adds \`cancel_token\` to its params, so they must be an object or null (got an array)`,
    });
    await expect(node.command(C, 'echo', { cancel_token: 'mine' }, { signal })).rejects.toMatchObject({
      code: 'invalid_params',
    });
    const aborted = AbortSignal.abort(new Error('user gave up'));
    await expect(node.command(C, 'ping', null, { signal: aborted })).rejects.toThrow('user gave up');
    // c-protocol's echo answers its params: the token is there, a fresh UUID each call.
    const echoed = await node.command(C, 'echo', { a: 1 }, { signal });
    expect(echoed).toEqual({
      success: true,
      data: { a: 1, cancel_token: expect.stringMatching(/^[0-9a-f-]{36}$/) as string },
    });
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

describe('createNodeHost with lane auto (the default)', () => {
  it('meters every plugin and runs it in-thread until a grant needs the isolated lane; a revoke moves it back', async () => {
    const records: CallRecord[] = [];
    const node = await open({ lane: 'auto', onCall: (record) => records.push(record) });
    expect(node.plugin(C)?.lane).toEqual({
      kind: 'in-thread',
      metered: true,
      reason: 'every host function it may use answers synchronously',
    });
    // as-http imports host_http_request, but nothing grants it: denied before any handler runs.
    expect(node.plugin(HTTP)?.lane?.kind).toBe('in-thread');
    expect(await node.command(C, 'ping')).toMatchObject({ success: true });
    expect(records.at(-1)).toMatchObject({ pluginId: C, name: 'ping', outcome: 'ok', lane: 'in-thread' });
    expect(records.at(-1)?.fuelUsed).toBeGreaterThan(0);

    await node.grant(HTTP, 'http_requests', '127.0.0.1');
    expect(node.plugin(HTTP)?.lane).toEqual({
      kind: 'isolated',
      metered: true,
      reason: 'it may use host_http_request (granted http_requests), which answers asynchronously',
    });
    expect(logs.map((entry) => entry.message)).toContain(
      `plugin ${HTTP} moves to the isolated lane: it may use host_http_request (granted http_requests), which answers asynchronously`,
    );
    await node.command(HTTP, 'ping').catch(() => undefined);
    expect(records.filter((record) => record.pluginId === HTTP).at(-1)?.lane).toBe('isolated');

    await node.revoke(HTTP, 'http_requests');
    expect(node.plugin(HTTP)?.lane?.kind).toBe('in-thread');
    // The other plugins were never reloaded.
    expect(logs.filter((entry) => entry.message.includes('moves to'))).toHaveLength(2);
  });

  it('stops a plugin that never returns with fuel_exhausted, in-thread, and serves it and the others again', async () => {
    mkdirSync(join(base, 'plugins', 'hostile.loop-command'), { recursive: true });
    writeFileSync(
      join(base, 'plugins', 'hostile.loop-command', 'plugin.wasm'),
      guestBytes('hostile/hostile-loop-command'),
    );
    const node = await open({ lane: 'auto', limits: { fuelPerCall: 5_000_000 } });
    expect(node.plugin('hostile.loop-command')?.lane?.kind).toBe('in-thread');
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(node.command('hostile.loop-command', 'spin')).rejects.toMatchObject({
        code: 'fuel_exhausted',
        context: { pluginId: 'hostile.loop-command', exportName: 'handle_command', limit: 'fuelPerCall' },
      });
    }
    expect(await node.command(C, 'ping')).toMatchObject({ success: true });
  });
});

describe("createNodeHost with the app's own stores (a database that answers promises)", () => {
  /** Plugin storage over a Map whose every answer is a promise settled on a later turn, as a database's is. */
  function asyncStores() {
    const values = new Map<string, Uint8Array>();
    const later = <T>(value: T) => new Promise<T>((resolve) => setImmediate(() => resolve(value)));
    const id = (pluginId: string, key: string) => JSON.stringify([pluginId, key]);
    const refuse = () => Promise.reject(new Error('not used by this test'));
    return {
      values,
      stores: {
        storage: {
          get: (pluginId: string, key: string) => later(values.get(id(pluginId, key))),
          set: (pluginId: string, key: string, value: Uint8Array) =>
            later(void values.set(id(pluginId, key), value)),
          delete: (pluginId: string, key: string) => later(values.delete(id(pluginId, key))),
        },
        secrets: { get: refuse, set: refuse, delete: refuse },
        namespaces: {
          createNamespace: refuse,
          getNamespace: refuse,
          listNamespaces: refuse,
          putObject: refuse,
          getObject: refuse,
          deleteObject: refuse,
          listObjects: refuse,
        },
      },
    };
  }

  it('serves storage from them, isolated for a plugin granted plugin_storage, and creates no SQLite file', async () => {
    writeFileSync(
      policyPath(),
      JSON.stringify({
        plugins: {
          [NOTES]: {
            permissions: {
              read_files: { include: ['all'], exclude: [] },
              plugin_storage: { include: ['all'], exclude: [] },
            },
          },
        },
      }),
    );
    const { values, stores } = asyncStores();
    const node = await open({ lane: 'auto', stores });
    expect(node.plugin(NOTES)?.lane).toEqual({
      kind: 'isolated',
      metered: true,
      reason: 'it may use host_storage_set (granted plugin_storage), which answers asynchronously',
    });
    // Nothing grants the C guest storage (and it imports none): it stays in-thread.
    expect(node.plugin(C)?.lane?.kind).toBe('in-thread');
    const index = { tags: { tag: ['Notes/a.md'] }, files: 1 };
    expect(await node.command(NOTES, 'tag_index')).toEqual({ success: true, data: index });
    expect(await node.command(NOTES, 'last_index')).toEqual({ success: true, data: index });
    const stored = values.get(JSON.stringify([NOTES, 'tag_index']));
    expect(JSON.parse(new TextDecoder().decode(stored))).toEqual(index);
    expect(existsSync(join(base, 'plugins', '.plinth', 'plinth.db'))).toBe(false);
  });

  it('refuses a storagePath and stores together', async () => {
    await expect(
      open({ stores: asyncStores().stores, storagePath: join(base, 'x.db') }),
    ).rejects.toMatchObject({ code: 'invalid_options', message: expect.stringContaining('not both') });
  });
});

describe('createNodeHost watching its plugins root', () => {
  it('does not reload a plugin again for the files its own install just wrote (one change, not two)', async () => {
    const changes: string[] = [];
    const node = await open({
      watch: true,
      onChange: (change) => changes.push(`${change.type} ${change.pluginId}`),
    });
    await node.install({ bytes: guestBytes('golden/wat-protocol') });
    // Past the watcher's 250 ms debounce: the install's own file events have been handled.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(changes.filter((change) => change.endsWith('plinth-golden.wat'))).toEqual([
      'loaded plinth-golden.wat',
      'installed plinth-golden.wat',
    ]);
    // A real change to the files still reloads it.
    writeFileSync(join(base, 'plugins', 'plinth-golden.wat', 'config.json'), '{}');
    const deadline = Date.now() + 5_000;
    while (!changes.includes('reloaded plinth-golden.wat') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(changes).toContain('reloaded plinth-golden.wat');
  });
});

describe('createNodeHost options', () => {
  // What a JavaScript caller can pass: no types stand between it and the factory.
  const untypedCreate = createNodeHost as unknown as (options: unknown) => Promise<NodeHost>;
  const valid = () => ({
    workspaceRoot: join(base, 'workspace'),
    pluginsRoot: join(base, 'plugins'),
    policy: { file: policyPath() },
    hostAppVersion: '1.0.0',
  });

  it('names a missing policy with a typed error, before touching the disk', async () => {
    const { policy: _policy, ...withoutPolicy } = valid();
    const storage = join(base, 'plugins', '.plinth');
    await expect(untypedCreate(withoutPolicy)).rejects.toMatchObject({
      name: 'OptionsError',
      code: 'invalid_options',
      factory: 'createNodeHost',
      message: 'createNodeHost: option `policy` is required (a { file } or { frontMatter } object)',
    });
    expect(existsSync(storage)).toBe(false);
  });

  it('names a wrong type, a bad limit and a misspelt key, each with its path', async () => {
    await expect(untypedCreate({ ...valid(), policy: { file: 7 } })).rejects.toMatchObject({
      code: 'invalid_options',
      problems: [{ path: 'policy.file', message: 'must be a non-empty path (got 7)' }],
    });
    await expect(untypedCreate({ ...valid(), limits: { timeoutMs: -1 } })).rejects.toMatchObject({
      code: 'invalid_options',
      message: 'createNodeHost: option `limits.timeoutMs` must be a whole number from 1 to 86400000 (got -1)',
    });
    await expect(untypedCreate({ ...valid(), hostAppVersion: 'v1' })).rejects.toMatchObject({
      problems: [
        { path: 'hostAppVersion', message: 'must be a semantic version such as "1.2.3" (got "v1")' },
      ],
    });
    await expect(untypedCreate({ ...valid(), wacth: false })).rejects.toMatchObject({
      problems: [{ path: 'wacth', message: 'is unknown (did you mean `watch`?)' }],
    });
  });
});

describe('createNodeHost and folders that do not exist', () => {
  it('refuses a missing workspace, plugins root or policy folder, naming it, unless create is set', async () => {
    const missing = join(base, 'not-there');
    const refusal = (extra: Partial<NodeHostOptions>) =>
      createNodeHost({
        workspaceRoot: join(base, 'workspace'),
        pluginsRoot: join(base, 'plugins'),
        policy: { file: policyPath() },
        hostAppVersion: '1.0.0',
        watch: false,
        ...extra,
      });
    await expect(refusal({ workspaceRoot: join(missing, 'ws') })).rejects.toMatchObject({
      code: 'invalid_options',
      message: expect.stringContaining(`workspaceRoot ${join(missing, 'ws')} does not exist`),
    });
    await expect(refusal({ pluginsRoot: join(missing, 'plugins') })).rejects.toMatchObject({
      message: expect.stringContaining(`pluginsRoot ${join(missing, 'plugins')} does not exist`),
    });
    await expect(refusal({ policy: { file: join(missing, 'policy.json') } })).rejects.toMatchObject({
      message: expect.stringContaining('the folder of the policy file'),
    });
    // Nothing was made on the way.
    expect(existsSync(missing)).toBe(false);

    const made = await refusal({
      workspaceRoot: join(missing, 'ws'),
      pluginsRoot: join(missing, 'plugins'),
      policy: { file: join(missing, 'config', 'policy.json') },
      create: true,
    });
    await made.close();
    for (const folder of ['ws', 'plugins', 'config']) expect(existsSync(join(missing, folder))).toBe(true);
  });
});
