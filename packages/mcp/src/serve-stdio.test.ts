import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MemorySource, manifest } from './__fixtures__/memory-source.js';
import { PluginToolServer } from './plugin-tool-server.js';
import { serveStdio } from './serve-stdio.js';

const INITIALIZE =
  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}';

function stdio() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const lines = createInterface({ input: stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await lines.next()).value as string) as Record<string, unknown>;
  return { stdin, stdout, next };
}

describe('serveStdio', () => {
  it('serves one session of newline-delimited JSON-RPC until stdin ends', async () => {
    const source = new MemorySource();
    source.views = [{ id: 'acme.notes', state: 'active', manifest: manifest() }];
    source.handlers.set('acme.notes ping', () => ({ success: true, data: 'pong' }));
    const tools = new PluginToolServer({ source });
    const { stdin, stdout, next } = stdio();
    const served = serveStdio(tools, { stdin, stdout });

    stdin.write(`${INITIALIZE}\n`);
    expect(await next()).toMatchObject({ id: 1, result: { serverInfo: { name: 'plinth' } } });
    stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    stdin.write('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"acme_notes__ping"}}\n');
    expect(await next()).toEqual({
      jsonrpc: '2.0',
      id: 2,
      result: { content: [{ type: 'text', text: 'pong' }] },
    });
    tools.toolsChanged();
    expect(await next()).toEqual({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });

    stdin.end();
    await served;
    expect(source.calls).toHaveLength(1);
  });

  it('stops when its signal aborts, or at once when it already has', async () => {
    const tools = new PluginToolServer({ source: new MemorySource() });
    const controller = new AbortController();
    const { stdin, stdout, next } = stdio();
    const served = serveStdio(tools, { stdin, stdout, signal: controller.signal });
    stdin.write(`${INITIALIZE}\n`);
    expect(await next()).toMatchObject({ id: 1 });
    controller.abort();
    await served;

    const aborted = stdio();
    await serveStdio(tools, { stdin: aborted.stdin, stdout: aborted.stdout, signal: AbortSignal.abort() });
    expect(aborted.stdin.listenerCount('end')).toBe(0);
  });

  it('refuses options that are not streams, naming the option', async () => {
    const tools = new PluginToolServer({ source: new MemorySource() });
    await expect(serveStdio(tools, { stdin: 'stdin' as never })).rejects.toThrow(
      'serveStdio: option `stdin` must be a readable stream',
    );
  });
});
