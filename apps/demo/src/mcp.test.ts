import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ToolListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { guestPath } from '@plinth/guests';
import { afterAll, describe, expect, it } from 'vitest';
import { demoToolServer } from './demo-tool-server.js';
import { main } from './main.js';
import { openHost } from './open-host.js';
import { openWorkspace } from './workspace.js';

const dir = mkdtempSync(join(tmpdir(), 'plinth-demo-mcp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');

/** A guard against hanging, not a speed assertion. */
function within<T>(promise: Promise<T>, what: string, ms = 20_000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`gave up waiting for ${what}`)), ms).unref(),
    ),
  ]);
}

/** Counts `notifications/tools/list_changed`; `after(n)` resolves once more than n have arrived (race-free). */
function listChanged(client: Client) {
  let count = 0;
  let waiters: (() => void)[] = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
    count += 1;
    const ready = waiters;
    waiters = [];
    for (const wake of ready) wake();
  });
  const after = async (seen: number): Promise<void> => {
    while (count <= seen) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return {
    get count() {
      return count;
    },
    after,
    /** Lists tools until `done` holds, waiting for a notification between tries. */
    async until(done: (names: string[]) => boolean, what: string): Promise<string[]> {
      return within(
        (async () => {
          for (;;) {
            const seen = count;
            const names = (await client.listTools()).tools.map((tool) => tool.name);
            if (done(names)) return names;
            await after(seen);
          }
        })(),
        what,
      );
    },
  };
}

function textOf(result: unknown): string {
  const content = (result as CallToolResult).content;
  return content.map((part) => (part.type === 'text' ? part.text : `<${part.type}>`)).join('');
}

describe('plinth-demo mcp over stdio (the official MCP client)', () => {
  const workspace = join(dir, 'stdio');

  it('lists plugin commands as tools, calls them, reports denials as tool errors and follows hot reloads', async () => {
    // The seeded HTTP plugin is taken out before the server starts, to be dropped back in while it runs.
    openWorkspace(workspace);
    rmSync(join(workspace, 'plinth', 'plugins', 'plinth-golden.http'), { recursive: true, force: true });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--disable-warning=ExperimentalWarning', cli, '--workspace', workspace, 'mcp'],
      env: { ...(process.env as Record<string, string>) },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'plinth-demo-test', version: '1.0.0' });
    const changes = listChanged(client);
    try {
      await within(client.connect(transport), 'the stdio server to initialize');
      expect(client.getServerVersion()).toMatchObject({ name: 'plinth-demo' });
      expect(client.getServerCapabilities()?.tools).toEqual({ listChanged: true });

      const { tools } = await client.listTools();
      expect(tools).toHaveLength(21);
      const wordCount = tools.find((tool) => tool.name === 'plinth-golden_notes__word_count');
      expect(wordCount).toMatchObject({
        description:
          'Notes (AssemblyScript golden) (plinth-golden.notes v1.0.0): command "word_count" — Count the words of a note. Word counts, daily notes and a tag index for a notes workspace. Parameters: path (required). Runs in-thread, metered (fuel). Unsigned.',
        inputSchema: { type: 'object', required: ['path'] },
      });
      expect(tools.map((tool) => tool.name)).toContain('plinth-golden_wat__ping');

      const counted = await client.callTool({
        name: 'plinth-golden_notes__word_count',
        arguments: { path: 'ideas.md' },
      });
      expect(counted.isError).toBeUndefined();
      expect(JSON.parse(textOf(counted))).toEqual({ path: 'ideas.md', words: 28 });

      const denied = await client.callTool({
        name: 'plinth-golden_notes__word_count',
        arguments: { path: 'private/diary.txt' },
      });
      expect(denied.isError).toBe(true);
      expect(textOf(denied)).toBe(
        "plinth-golden.notes word_count failed [permission_denied]: host_read_file: Permission denied for plugin 'plinth-golden.notes': read_files on 'private/diary.txt'",
      );
      await expect(client.callTool({ name: 'acme_nope__ping', arguments: {} })).rejects.toThrow(
        'unknown tool "acme_nope__ping"',
      );

      // Hot reload: drop a new plugin folder into the plugins root while the server runs (the HTTP plugin,
      // which its granted http_requests puts in a worker).
      const before = changes.count;
      const target = join(workspace, 'plinth', 'plugins', 'plinth-golden.http');
      mkdirSync(target, { recursive: true });
      cpSync(guestPath('as-http'), join(target, 'plugin.wasm'));
      await within(changes.after(before), 'notifications/tools/list_changed after installing a plugin');
      const after = await changes.until(
        (names) => names.includes('plinth-golden_http__fetch'),
        'the new tools',
      );
      expect(after).toHaveLength(21 + 6);
      const fetchTool = (await client.listTools()).tools.find(
        (tool) => tool.name === 'plinth-golden_http__fetch',
      );
      expect(fetchTool?.description).toContain('Runs isolated (a worker), metered (fuel).');

      // Hot reload of a running plugin: a new version of its module replaces plugin.wasm.
      const watModule = join(workspace, 'plinth', 'plugins', 'plinth-golden.wat', 'plugin.wasm');
      const current = readFileSync(watModule);
      const next = Buffer.from(
        current.toString('latin1').replace('"version":"1.0.0"', '"version":"1.0.1"'),
        'latin1',
      );
      expect(next.equals(current)).toBe(false);
      const beforeReload = changes.count;
      writeFileSync(`${watModule}.next`, next);
      renameSync(`${watModule}.next`, watModule);
      await within(changes.after(beforeReload), 'notifications/tools/list_changed after a hot reload');
      const reloaded = await within(
        (async () => {
          for (;;) {
            const seen = changes.count;
            const ping = (await client.listTools()).tools.find(
              (tool) => tool.name === 'plinth-golden_wat__ping',
            );
            if (ping?.description?.includes('v1.0.1')) return ping;
            await changes.after(seen);
          }
        })(),
        'the reloaded plugin in the tool list',
      );
      expect(reloaded.description).toContain('(plinth-golden.wat v1.0.1)');
      expect(textOf(await client.callTool({ name: 'plinth-golden_wat__ping', arguments: {} }))).toBe('pong');

      // A generic Extism plugin (no protocol): its folder's extism.json makes its exports tools.
      const beforeGeneric = changes.count;
      const generic = join(workspace, 'plinth', 'plugins', 'acme.text');
      mkdirSync(`${generic}.tmp`);
      cpSync(guestPath('wat-plain'), join(`${generic}.tmp`, 'plugin.wasm'));
      writeFileSync(
        join(`${generic}.tmp`, 'extism.json'),
        JSON.stringify({
          name: 'Text tools',
          version: '0.1.0',
          description: 'Plain Extism exports as tools.',
          tools: [
            {
              name: 'reverse',
              export: 'reverse',
              description: 'Reverses a text',
              input: { text: 'text' },
              input_schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
            },
          ],
        }),
      );
      renameSync(`${generic}.tmp`, generic);
      await within(
        changes.after(beforeGeneric),
        'notifications/tools/list_changed after adding a generic plugin',
      );
      const withGeneric = await changes.until(
        (names) => names.includes('acme_text__reverse'),
        'the generic tool',
      );
      expect(withGeneric).toHaveLength(21 + 6 + 1);
      const reverse = (await client.listTools()).tools.find((tool) => tool.name === 'acme_text__reverse');
      expect(reverse).toMatchObject({
        description: expect.stringContaining('command "reverse" — Reverses a text'),
        inputSchema: { type: 'object', required: ['text'] },
      });
      const reversed = await client.callTool({ name: 'acme_text__reverse', arguments: { text: 'Plinth' } });
      expect(textOf(reversed)).toBe('htnilP');
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('plinth-demo mcp --http (Streamable HTTP on 127.0.0.1)', () => {
  const workspace = join(dir, 'http');

  it('serves sessions on an OS-assigned port, turns plugin errors into tool errors and announces removals', async () => {
    const controller = new AbortController();
    let announce: (url: string) => void = () => {};
    const listening = new Promise<string>((resolve) => (announce = resolve));
    const stderr: string[] = [];
    const server = main(['--workspace', workspace, 'mcp', '--http', '--port', '0'], {
      stdout: () => {},
      stderr: (text) => {
        stderr.push(text);
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(text);
        if (match?.[1]) announce(match[1]);
      },
      signal: controller.signal,
      env: {},
    });
    const client = new Client({ name: 'plinth-demo-test', version: '1.0.0' });
    const changes = listChanged(client);
    try {
      const url = await within(listening, 'the HTTP server to listen');
      expect(stderr.join('')).toContain('MCP server: 27 tools from 5 plugins');
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      expect((await client.listTools()).tools).toHaveLength(27);

      const greeted = await client.callTool({ name: 'plinth-golden_c__greet', arguments: { name: 'Zoë' } });
      expect(textOf(greeted)).toBe('Hello, Zoë!');
      const bad = await client.callTool({ name: 'plinth-golden_notes__greet', arguments: {} });
      expect(bad.isError).toBe(true);
      expect(textOf(bad)).toBe(
        'plinth-golden.notes greet failed [invalid_params]: greet: params.name is required',
      );

      const port = new URL(url).port;
      const probe = (headers: Record<string, string>) =>
        new Promise<number | undefined>((resolve, reject) => {
          const sent = request(
            {
              host: '127.0.0.1',
              port,
              path: '/mcp',
              method: 'POST',
              agent: false,
              headers: {
                'content-type': 'application/json',
                accept: 'application/json, text/event-stream',
                ...headers,
              },
            },
            (res) => {
              res.resume();
              resolve(res.statusCode);
            },
          );
          sent.on('error', reject);
          sent.end('{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}');
        });
      expect(await probe({ host: 'evil.example' })).toBe(403);
      expect(await probe({ origin: 'https://evil.example' })).toBe(403);

      // A hostile plugin dropped in while the server runs: its trap is a tool error, the server carries on.
      const beforeHostile = changes.count;
      const trapDir = join(workspace, 'plinth', 'plugins', 'hostile.trap-unreachable');
      mkdirSync(trapDir, { recursive: true });
      cpSync(guestPath('hostile-trap-unreachable'), join(trapDir, 'plugin.wasm'));
      await within(
        changes.after(beforeHostile),
        'notifications/tools/list_changed after adding the hostile plugin',
      );
      await changes.until((names) => names.includes('hostile_trap-unreachable__crash'), 'the hostile tool');
      const trapped = await client.callTool({ name: 'hostile_trap-unreachable__crash', arguments: {} });
      expect(trapped.isError).toBe(true);
      expect(textOf(trapped)).toBe(
        'hostile.trap-unreachable crash: [trap] plugin hostile.trap-unreachable@0.1.0 (handle_command) trapped: unreachable',
      );
      expect(textOf(await client.callTool({ name: 'plinth-golden_wat__ping', arguments: {} }))).toBe('pong');

      const beforeRemoval = changes.count;
      rmSync(join(workspace, 'plinth', 'plugins', 'plinth-golden.rust'), { recursive: true, force: true });
      await within(changes.after(beforeRemoval), 'notifications/tools/list_changed after removing a plugin');
      const names = await changes.until(
        (current) => !current.some((name) => name.startsWith('plinth-golden_rust__')),
        'the removed tools to go',
      );
      expect(names).toHaveLength(27 + 1 - 4);
      expect(names.some((name) => name.startsWith('plinth-golden_rust__'))).toBe(false);
    } finally {
      await client.close();
      controller.abort();
      expect(await server).toBe(0);
    }
  }, 60_000);
});

describe('plinth-demo mcp with arguments nested too deep', () => {
  it('answers 100,000-level tool arguments with a tool error naming the problem, and keeps serving', async () => {
    const workspace = openWorkspace(join(dir, 'deep'));
    const host = await openHost({ workspace, progress: () => undefined, lane: 'in-thread' });
    await host.start();
    const tools = demoToolServer(host);
    // Raw JSON-RPC lines over the SDK's own stdio transport: a client would overflow serializing this.
    const input = new PassThrough();
    const output = new PassThrough();
    await tools.createServer().connect(new StdioServerTransport(input, output));
    const replies = createInterface({ input: output })[Symbol.asyncIterator]();
    const call = async (line: string): Promise<Record<string, unknown>> => {
      input.write(`${line}\n`);
      const reply = await within(replies.next(), 'a reply from the server');
      return JSON.parse(reply.value as string) as Record<string, unknown>;
    };
    const toolCall = (id: number, args: string) =>
      `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"plinth-golden_c__echo","arguments":${args}}}`;
    try {
      const init = await call(
        '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}',
      );
      expect(init).toMatchObject({ id: 1, result: { serverInfo: { name: 'plinth-demo' } } });
      input.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');

      const deep = await call(toolCall(2, `{"a":${'['.repeat(100_000)}1${']'.repeat(100_000)}}`));
      expect(deep).toMatchObject({ id: 2, result: { isError: true } });
      expect(textOf((deep as { result: unknown }).result)).toBe(
        'plinth-golden.c echo: [invalid_params] plugin plinth-golden.c@1.0.0 (handle_command) command "echo": params nested deeper than 256 levels: level 257 opens at $.a[0][0][0][0][0]…[0][0][0]',
      );

      const echoed = await call(toolCall(3, '{"a":[1]}'));
      expect(echoed).toMatchObject({ id: 3, result: { content: [{ type: 'text' }] } });
      expect(JSON.parse(textOf((echoed as { result: unknown }).result))).toEqual({ a: [1] });
      expect(host.plugin('plinth-golden.c')).toMatchObject({ state: 'active' });
    } finally {
      await tools.close();
      await host.close();
    }
  }, 60_000);
});
