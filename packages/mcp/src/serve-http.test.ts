import { request } from 'node:http';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySource, listChanged, manifest, newClient, textOf } from './__fixtures__/memory-source.js';
import { PluginToolServer } from './plugin-tool-server.js';
import { serveHttp, type HttpMcpServer } from './serve-http.js';

const INITIALIZE =
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}';

interface Raw {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One raw request to the server; answers the status and the body's error message, if any. */
function raw(
  port: number,
  options: Raw,
): Promise<{ status: number | undefined; message: string | undefined }> {
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/mcp',
        method: options.method ?? 'POST',
        // A fresh connection each time: a refused request's unread body must not spoil the next one.
        agent: false,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...options.headers,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          let message: string | undefined;
          try {
            message = (JSON.parse(body) as { error?: { message?: string } }).error?.message;
          } catch {
            message = undefined; // an SSE answer
          }
          resolve({ status: res.statusCode, message });
        });
      },
    );
    sent.on('error', reject);
    sent.end(options.body ?? INITIALIZE);
  });
}

const servers: HttpMcpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(options: Parameters<typeof serveHttp>[1] = {}) {
  const source = new MemorySource();
  source.views = [{ id: 'acme.notes', state: 'active', manifest: manifest() }];
  source.handlers.set('acme.notes ping', () => ({ success: true, data: 'pong' }));
  const tools = new PluginToolServer({ source });
  const server = await serveHttp(tools, options);
  servers.push(server);
  return { tools, server, source };
}

describe('serveHttp', () => {
  it('serves Streamable HTTP sessions on 127.0.0.1 and sends list_changed to them', async () => {
    const { tools, server, source } = await serve();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/mcp`);
    const client = newClient();
    const changes = listChanged(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual([
        'acme_notes__ping',
        'acme_notes__word_count',
      ]);
      expect(textOf(await client.callTool({ name: 'acme_notes__ping' }))).toBe('pong');
      source.views = [];
      tools.toolsChanged();
      await changes.after(0);
      expect((await client.listTools()).tools).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('refuses a Host other than the loopback names and an Origin of another site', async () => {
    const { server } = await serve();
    const { port } = server;
    expect(await raw(port, { headers: { host: 'evil.example' } })).toEqual({
      status: 403,
      message: 'Invalid Host header: evil.example',
    });
    expect(await raw(port, { headers: { host: `evil.example:${port}` }, method: 'GET' })).toMatchObject({
      status: 403,
    });
    expect(await raw(port, { headers: { origin: 'https://evil.example' } })).toEqual({
      status: 403,
      message: 'Invalid Origin header: https://evil.example',
    });
    expect(await raw(port, { headers: { origin: 'null' } })).toMatchObject({ status: 403 });
    expect(
      await raw(port, { headers: { host: `LocalHost:${port}`, origin: `http://localhost:${port}` } }),
    ).toEqual({ status: 200, message: undefined });
  });

  it('accepts the extra hosts and origins it is given', async () => {
    const { server } = await serve({
      allowedHosts: ['Notes.Local:8443'],
      allowedOrigins: ['https://notes.local:8443'],
    });
    const extra = { host: 'notes.local:8443', origin: 'https://notes.local:8443' };
    expect(await raw(server.port, { headers: extra })).toMatchObject({ status: 200 });
    expect(await raw(server.port, { headers: { ...extra, origin: 'https://other.local' } })).toMatchObject({
      status: 403,
    });
  });

  it('answers other paths, unknown sessions and requests before a session with errors', async () => {
    const { server } = await serve();
    const { port } = server;
    expect(await raw(port, { path: '/' })).toEqual({
      status: 404,
      message: 'not found: the MCP endpoint is /mcp',
    });
    expect(await raw(port, { headers: { 'mcp-session-id': 'nope' } })).toEqual({
      status: 404,
      message: 'unknown session nope',
    });
    expect(await raw(port, { method: 'GET', body: '' })).toEqual({
      status: 400,
      message: 'start a session with an initialize POST first',
    });
    const listBeforeInit = await raw(port, { body: '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' });
    expect(listBeforeInit.status).toBe(400);
  });

  it('stops listening once closed', async () => {
    const { server } = await serve();
    await server.close();
    await expect(raw(server.port, {})).rejects.toThrow(/ECONNREFUSED/);
  });

  it('refuses a port out of range, naming the option', async () => {
    const tools = new PluginToolServer({ source: new MemorySource() });
    await expect(serveHttp(tools, { port: 70_000 })).rejects.toThrow(
      'serveHttp: option `port` must be a whole number from 0 to 65535',
    );
  });
});
