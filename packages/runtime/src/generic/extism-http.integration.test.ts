import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpTransport } from '@plinth/host-kit';
import { createIsolatedLane } from '../node/isolated-lane.js';
import { openPlugin } from '../open-plugin.js';
import { httpGuest } from '../node/__fixtures__/generic-guests.js';
import { allowedHostMatcher } from './extism-http.js';

let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/hello') return void response.end('hello from the host');
    if (request.url === '/away') {
      response.writeHead(302, { location: 'http://localhost:1/elsewhere' });
      return void response.end();
    }
    response.writeHead(404).end('missing');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** One hop over fetch, redirects left to the caller (a test transport; Node hosts use host-node's). */
const fetchTransport: HttpTransport = {
  async send(request) {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      redirect: 'manual',
      ...(request.body === undefined ? {} : { body: Buffer.from(request.body) }),
    });
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    return {
      status: response.status,
      headers,
      body: new Uint8Array(await response.arrayBuffer()),
    };
  },
};

describe("Extism's http_request with allowed_hosts", () => {
  const open = async (allowed: string[], lane = true) =>
    openPlugin({
      manifest: { wasm: [{ data: await httpGuest() }], allowed_hosts: allowed },
      httpTransport: fetchTransport,
      pluginId: 'acme.fetch',
      ...(lane ? { lane: createIsolatedLane } : {}),
    });

  it('fetches from an allowed host and answers the body', async () => {
    const plugin = await open(['127.0.0.*']);
    try {
      expect(await plugin.callText('fetch', JSON.stringify({ url: `${origin}/hello` }))).toBe(
        'hello from the host',
      );
    } finally {
      await plugin.close();
    }
  });

  it('fails the call for a host not allowed, and for a redirect that leaves the allowed hosts', async () => {
    const refused = await open(['example.com']);
    const redirected = await open(['127.0.0.1']);
    try {
      await expect(refused.call('fetch', JSON.stringify({ url: `${origin}/hello` }))).rejects.toMatchObject({
        code: 'host_function_failed',
        message: expect.stringContaining('http_request: host not in allowed_hosts'),
      });
      await expect(redirected.call('fetch', JSON.stringify({ url: `${origin}/away` }))).rejects.toMatchObject(
        {
          code: 'host_function_failed',
          message: expect.stringContaining('redirect refused'),
        },
      );
    } finally {
      await refused.close();
      await redirected.close();
    }
  });

  it('needs the isolated lane and a transport', async () => {
    const inThread = await open(['127.0.0.1'], false);
    try {
      await expect(inThread.call('fetch', JSON.stringify({ url: `${origin}/hello` }))).rejects.toMatchObject({
        code: 'host_function_failed',
        message: expect.stringContaining('asynchronous host functions need the isolated lane'),
      });
    } finally {
      await inThread.close();
    }
    await expect(
      openPlugin({ manifest: { wasm: [{ data: await httpGuest() }], allowed_hosts: ['x.com'] } }),
    ).rejects.toMatchObject({ code: 'invalid_options', message: expect.stringContaining('httpTransport') });
  });

  it('matches hosts as Extism globs do', () => {
    const match = allowedHostMatcher(['*.example.com', 'api.test']);
    expect(match('a.b.example.com')).toBe('*.example.com');
    expect(match('API.test')).toBe('api.test');
    expect(match('example.com')).toBeUndefined();
    expect(match('api.test.evil.com')).toBeUndefined();
    expect(match('evilexample.com')).toBeUndefined();
  });
});
