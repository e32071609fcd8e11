import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeHost, type NodeHost, type NodeHostLogEntry } from '@plinth/host-node';
import type { UserFunctions } from '@plinth/runtime';
import { guestBytes } from '@plinth/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const ID = 'acme.counter';
let server: Server;
let origin: string;
beforeAll(async () => {
  server = createServer((request, response) => response.end(`served ${request.url ?? ''}`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The classic plugin manager's kv functions, as the app gives them. */
function kv(): UserFunctions {
  const store = new Map<string, string>();
  return {
    'extism:host/user': {
      kv_read: (ctx, key) => {
        const value = store.get(ctx.readString(key));
        return value === undefined ? 0n : ctx.store(value);
      },
      kv_write: (ctx, key, value) => void store.set(ctx.readString(key), ctx.readString(value)),
    },
  };
}

/** The upstream-PDK guest as a plugin folder: plugin.wasm and its extism.json. */
const DESCRIPTION = {
  name: 'Counter',
  version: '1.2.0',
  description: 'Counts, greets and fetches (the upstream AssemblyScript PDK)',
  allowed_hosts: ['127.0.0.1'],
  config: { greeting: 'Hej' },
  tools: [
    {
      name: 'count',
      export: 'count',
      description: 'Adds one to a named counter',
      input: { text: 'key' },
      input_schema: {
        type: 'object',
        properties: { key: { type: 'string', description: 'The counter' } },
        required: ['key'],
      },
    },
    { name: 'greet', export: 'greet', description: 'Greets someone', input: { text: 'name' } },
    { name: 'fetch', export: 'fetch', description: 'Fetches a URL', input: { text: 'url' } },
    {
      name: 'log_all',
      export: 'log_all',
      description: 'Logs a line at every level',
      input: { text: 'line' },
    },
  ],
};

const opened: { host: NodeHost; dir: string }[] = [];
afterEach(async () => {
  for (const { host, dir } of opened.splice(0)) {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function open(lane: 'auto' | 'isolated' = 'auto') {
  const dir = mkdtempSync(join(tmpdir(), 'plinth-generic-folder-'));
  const pluginsRoot = join(dir, 'plugins');
  mkdirSync(join(pluginsRoot, ID), { recursive: true });
  mkdirSync(join(dir, 'workspace'));
  writeFileSync(join(pluginsRoot, ID, 'plugin.wasm'), guestBytes('as-pdk'));
  writeFileSync(join(pluginsRoot, ID, 'extism.json'), JSON.stringify(DESCRIPTION));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ plugins: {} }));
  const logs: NodeHostLogEntry[] = [];
  const host = await createNodeHost({
    workspaceRoot: join(dir, 'workspace'),
    pluginsRoot,
    policy: { file: policyFile },
    hostAppVersion: '1.0.0',
    lane,
    watch: false,
    allowPrivateHosts: ['127.0.0.1'],
    extismFunctions: kv(),
    onLog: (entry) => logs.push(entry),
  });
  opened.push({ host, dir });
  const { problems } = await host.start();
  expect(problems).toEqual([]);
  return { host, logs, pluginsRoot };
}

describe('a generic Extism plugin in a plugin folder (extism.json beside plugin.wasm)', () => {
  it('is listed with its tools as commands, and its allowed hosts as a permission it asks for', async () => {
    const { host } = await open();
    const plugin = host.plugin(ID);
    expect(plugin).toMatchObject({ id: ID, version: '1.2.0', state: 'active' });
    expect(plugin?.manifest?.commands).toEqual(['count', 'greet', 'fetch', 'log_all']);
    expect(plugin?.manifest?.cli[0]).toMatchObject({
      name: 'count',
      about: 'Adds one to a named counter',
      args: [{ name: 'key', help: 'The counter', value_type: 'String', required: true }],
    });
    expect(plugin?.notGranted?.permissions).toEqual({
      http_requests: { include: ['127.0.0.1'], exclude: [] },
    });
  });

  it("serves its tools through the app's kv functions and its config; answers are JSON or text", async () => {
    const { host } = await open();
    expect(await host.command(ID, 'count', { key: 'visits' })).toEqual({ success: true, data: 1 });
    expect(await host.command(ID, 'count', { key: 'visits' })).toEqual({ success: true, data: 2 });
    expect(await host.command(ID, 'greet', { name: 'Zoë' })).toEqual({ success: true, data: 'Hej, Zoë!' });
    await expect(host.command(ID, 'count', { nope: 1 })).rejects.toMatchObject({ code: 'invalid_params' });
    await expect(host.command(ID, 'missing')).rejects.toMatchObject({ code: 'not_handled' });
  });

  it('hands its log lines to the host log with their level', async () => {
    const { host, logs } = await open();
    await host.command(ID, 'log_all', { line: 'x' });
    const lines = logs.filter((entry) => entry.source === 'guest' && entry.pluginId === ID);
    expect(lines.map((entry) => `${entry.level} ${entry.message}`)).toEqual([
      'info info: x',
      'warn warn: x',
      'error error: x',
    ]);
  });

  it('reaches its allowed host only once the policy grants it, and moves to the isolated lane for it', async () => {
    const { host } = await open();
    expect(host.plugin(ID)?.lane?.kind).toBe('in-thread');
    await expect(host.command(ID, 'fetch', { url: `${origin}/notes` })).rejects.toThrow(/permission_denied/);
    expect(host.denials().at(-1)).toMatchObject({
      pluginId: ID,
      permission: 'http_requests',
      via: 'http_request',
      outcome: 'not_configured',
    });
    await host.grant(ID, 'http_requests', '127.0.0.1');
    for (let turn = 0; host.plugin(ID)?.lane?.kind !== 'isolated' && turn < 200; turn += 1) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(host.plugin(ID)?.lane?.kind).toBe('isolated');
    expect(await host.command(ID, 'fetch', { url: `${origin}/notes` })).toEqual({
      success: true,
      data: '200 served /notes',
    });
    // A host outside its allowed_hosts stays refused whatever the policy says.
    await host.grant(ID, 'http_requests', 'all');
    await expect(host.command(ID, 'fetch', { url: 'http://localhost:1/' })).rejects.toThrow(/allowed_hosts/);
  });

  it('refuses a folder whose extism.json is wrong, naming the field', async () => {
    const { host, pluginsRoot } = await open();
    writeFileSync(join(pluginsRoot, ID, 'extism.json'), JSON.stringify({ ...DESCRIPTION, tools: [] }));
    await expect(host.reload(ID)).rejects.toMatchObject({
      code: 'manifest_invalid',
      message: expect.stringContaining('tools: list at least one tool'),
    });
  });

  it.each(['auto', 'isolated'] as const)(
    'mounts a workspace folder for WASI only as far as the policy grants it, and reopens on a grant (lane %s)',
    async (lane) => {
      const dir = mkdtempSync(join(tmpdir(), 'plinth-generic-wasi-'));
      const pluginsRoot = join(dir, 'workspace', '.plinth', 'plugins');
      const folder = join(pluginsRoot, 'acme.files');
      mkdirSync(folder, { recursive: true });
      mkdirSync(join(dir, 'workspace', 'Notes'));
      writeFileSync(join(dir, 'workspace', 'Notes', 'a.md'), 'a note');
      writeFileSync(join(folder, 'plugin.wasm'), guestBytes('wat-wasi'));
      const text = (name: string) => ({ name, export: name, description: name, input: { text: 'path' } });
      writeFileSync(
        join(folder, 'extism.json'),
        JSON.stringify({
          name: 'Files',
          version: '1.0.0',
          allowed_paths: { Notes: '/notes', '.': '/everything' },
          tools: [
            text('read'),
            text('write'),
            text('print'),
            { name: 'exit', export: 'exit', description: 'exit' },
          ],
        }),
      );
      const policyFile = join(dir, 'policy.json');
      writeFileSync(policyFile, JSON.stringify({ plugins: {} }));
      const logs: NodeHostLogEntry[] = [];
      const host = await createNodeHost({
        workspaceRoot: join(dir, 'workspace'),
        pluginsRoot,
        policy: { file: policyFile },
        hostAppVersion: '1.0.0',
        lane,
        watch: false,
        onLog: (entry) => logs.push(entry),
      });
      opened.push({ host, dir });
      await host.start();
      const messages = () =>
        logs.filter((entry) => entry.pluginId === 'acme.files').map((entry) => entry.message);
      // The whole workspace would show the host's plugins root and database: never mounted.
      expect(messages()).toContain(
        `does not mount .: it holds files of the host's own that plugins never see`,
      );
      expect(messages()).toContain('does not mount Notes: the policy does not grant read_files on it');
      const NOT_CAPABLE = 'errno:76';
      expect(await host.command('acme.files', 'read', { path: 'a.md' })).toEqual({
        success: true,
        data: NOT_CAPABLE,
      });

      const reopened = async (grant: () => Promise<void>) => {
        const before = logs.length;
        await grant();
        for (
          let turn = 0;
          turn < 200 && !logs.slice(before).some((entry) => entry.message.startsWith('mounts '));
          turn++
        ) {
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      };
      await reopened(() => host.grant('acme.files', 'read_files', 'Notes'));
      expect(messages()).toContainEqual(
        expect.stringMatching(
          /^mounts .*Notes at \/notes for WASI \(read-only: the policy grants reading only\)$/,
        ),
      );
      expect(await host.command('acme.files', 'read', { path: 'a.md' })).toEqual({
        success: true,
        data: 'a note',
      });
      expect(await host.command('acme.files', 'write', { path: 'b.md' })).toEqual({
        success: true,
        data: 'errno:69',
      });

      await reopened(async () => {
        for (const type of ['edit_files', 'create_files', 'delete_files'] as const) {
          await host.grant('acme.files', type, 'Notes');
        }
      });
      expect(await host.command('acme.files', 'write', { path: 'b.md' })).toEqual({
        success: true,
        data: 'ok',
      });
      expect(readFileSync(join(dir, 'workspace', 'Notes', 'b.md'), 'utf8')).toBe('written by wat-wasi');

      // stdout and stderr reach the host log; proc_exit is a typed error with its code.
      await host.command('acme.files', 'print', { path: 'hello' });
      // An isolated worker posts its lines; they arrive with the answer or just after it.
      for (let turn = 0; turn < 100 && !messages().includes('hello'); turn++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(logs).toContainEqual(
        expect.objectContaining({
          source: 'guest',
          pluginId: 'acme.files',
          message: 'hello',
          detail: { stream: 'stdout' },
        }),
      );
      await expect(host.command('acme.files', 'exit')).rejects.toMatchObject({
        code: 'guest_exit',
        context: { exitCode: 3 },
      });
    },
    30_000,
  );
});
