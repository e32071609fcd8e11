import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeHttpTransport, type NodeHttpTransportOptions } from './node-http-transport.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
const handlers = new Map<string, Handler>();
const seen: string[] = [];
const closedEarly: string[] = [];
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    response.on('close', () => {
      if (!response.writableFinished) closedEarly.push(request.url ?? '');
    });
    const handler = handlers.get(request.url ?? '');
    if (handler) handler(request, response);
    else response.writeHead(404).end('nope');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  handlers.set('/hello', (_, response) => {
    response.setHeader('set-cookie', ['a=1', 'b=2']);
    response.setHeader('x-multi', 'v');
    response.writeHead(200).end('hi');
  });
  handlers.set('/moved', (_, response) => response.writeHead(302, { location: '/hello' }).end());
  handlers.set('/forever', (_, response) => {
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(16 * 1024, 1);
    const pump = () => {
      while (response.write(chunk));
      response.once('drain', pump);
    };
    pump();
  });
  handlers.set('/declared', (_, response) => {
    response.writeHead(200, { 'content-length': '1000000' });
    response.write('x');
  });
  handlers.set('/silent', () => {});
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const hop = (url: string, extra: { timeoutMs?: number; maxResponseBytes?: number } = {}) => ({
  url,
  method: 'GET',
  headers: {},
  body: undefined,
  timeoutMs: extra.timeoutMs ?? 5_000,
  maxResponseBytes: extra.maxResponseBytes ?? 1024 * 1024,
});

async function send(url: string, options: NodeHttpTransportOptions = {}, extra = {}) {
  const transport = createNodeHttpTransport(options);
  try {
    return await transport.send(hop(url, extra));
  } finally {
    await transport.close();
  }
}
const decode = (body: Uint8Array) => new TextDecoder().decode(body);
const loopback = { allowPrivateHosts: ['127.0.0.1'] };

describe('createNodeHttpTransport', () => {
  it('answers status, flattened lower-case headers and body; does not follow redirects', async () => {
    const answer = await send(`http://127.0.0.1:${port}/hello`, loopback);
    expect(answer).toMatchObject({ status: 200, headers: { 'set-cookie': 'a=1, b=2', 'x-multi': 'v' } });
    expect('body' in answer && decode(answer.body)).toBe('hi');
    expect(await send(`http://127.0.0.1:${port}/moved`, loopback)).toMatchObject({
      status: 302,
      headers: { location: '/hello' },
    });
    expect((await send(`http://127.0.0.1:${port}/missing`, loopback)) as { status: number }).toMatchObject({
      status: 404,
    });
  });

  it('refuses loopback by default, as an address literal and as a name, without connecting', async () => {
    const before = seen.length;
    expect(await send(`http://127.0.0.1:${port}/hello`)).toEqual({
      failure: 'blocked_address',
      message:
        "destination refused: 127.0.0.1, a loopback address, is not reachable from plugins (the host's allowPrivateHosts does not name it)",
    });
    const viaName = await send(`http://localhost:${port}/hello`);
    expect(viaName).toMatchObject({ failure: 'blocked_address' });
    expect((viaName as { message: string }).message).toMatch(
      /^destination refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address/,
    );
    expect(await send(`http://[::ffff:7f00:1]:${port}/hello`)).toMatchObject({ failure: 'blocked_address' });
    expect(seen.length).toBe(before);
  });

  it('checks the address a name resolves to at connect time (DNS rebinding)', async () => {
    const rebinding = { resolve: async () => [{ address: '127.0.0.1', family: 4 }] };
    const before = seen.length;
    expect(await send(`http://public.example:${port}/hello`, rebinding)).toEqual({
      failure: 'blocked_address',
      message:
        "destination refused: public.example resolves to 127.0.0.1, a loopback address, is not reachable from plugins (the host's allowPrivateHosts does not name it)",
    });
    expect(seen.length).toBe(before);
    // Named explicitly, the same resolution is allowed.
    expect(await send(`http://public.example:${port}/hello`, { ...rebinding, ...loopback })).toMatchObject({
      status: 200,
    });
  });

  it('stops reading a body past the cap, even one that never ends', async () => {
    expect(await send(`http://127.0.0.1:${port}/forever`, loopback, { maxResponseBytes: 100_000 })).toEqual({
      failure: 'too_large',
      message: 'response body exceeds 100000 bytes',
    });
    expect(await send(`http://127.0.0.1:${port}/declared`, loopback, { maxResponseBytes: 1_000 })).toEqual({
      failure: 'too_large',
      message: 'response body exceeds 1000 bytes',
    });
    await expect.poll(() => closedEarly).toEqual(expect.arrayContaining(['/forever', '/declared']));
  });

  it('answers a timeout and a refused connection as failures', async () => {
    expect(await send(`http://127.0.0.1:${port}/silent`, loopback, { timeoutMs: 300 })).toMatchObject({
      failure: 'timeout',
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await send(`http://127.0.0.1:${closedPort}/`, loopback)).toEqual({
      failure: 'network',
      message: 'request failed: connection refused',
    });
  });
});
