import type { HttpTransportRequest } from '@plinth/host-kit';
import { describe, expect, it } from 'vitest';
import { createRouteTableTransport } from './http.js';

const request = (url: string, method = 'GET', maxResponseBytes = 1_000): HttpTransportRequest => ({
  url,
  method,
  headers: {},
  body: undefined,
  timeoutMs: 30_000,
  maxResponseBytes,
});
const text = (body: Uint8Array) => new TextDecoder().decode(body);

describe('createRouteTableTransport', () => {
  it('answers the first matching route by method and normalized URL or pattern, and records every request', async () => {
    const transport = createRouteTableTransport([
      { method: 'post', url: 'https://a.example', respond: { status: 201, body: 'created' } },
      {
        url: /^https:\/\/a\.example\/items\/\d+$/,
        respond: (r) => ({ status: 200, headers: { 'X-Id': r.url.slice(-1) } }),
      },
      { url: 'https://a.example/', respond: { status: 200, body: new Uint8Array([0xff]) } },
    ]);
    expect(await transport.send(request('https://a.example/', 'POST'))).toMatchObject({ status: 201 });
    expect(await transport.send(request('https://a.example/items/7'))).toEqual({
      status: 200,
      headers: { 'x-id': '7' },
      body: new Uint8Array(),
    });
    expect(await transport.send(request('https://a.example/'))).toEqual({
      status: 200,
      headers: {},
      body: new Uint8Array([0xff]),
    });
    expect(transport.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST https://a.example/',
      'GET https://a.example/items/7',
      'GET https://a.example/',
    ]);
  });

  it('answers 404 naming the request when no route matches, and routes can be added later', async () => {
    const transport = createRouteTableTransport();
    const missing = await transport.send(request('https://a.example/nope', 'DELETE'));
    expect(missing).toMatchObject({ status: 404 });
    expect('body' in missing && text(missing.body)).toBe('no route for DELETE https://a.example/nope');
    transport.addRoute({ url: 'https://a.example/nope', respond: { status: 204 } });
    expect(await transport.send(request('https://a.example/nope'))).toMatchObject({ status: 204 });
  });

  it('passes failures through and refuses bodies over maxResponseBytes', async () => {
    const transport = createRouteTableTransport([
      { url: 'https://a.example/slow', respond: { failure: 'timeout', message: 'timed out' } },
      { url: 'https://a.example/big', respond: { status: 200, body: 'x'.repeat(11) } },
    ]);
    expect(await transport.send(request('https://a.example/slow'))).toEqual({
      failure: 'timeout',
      message: 'timed out',
    });
    expect(await transport.send(request('https://a.example/big', 'GET', 10))).toEqual({
      failure: 'too_large',
      message: 'response body exceeds 10 bytes',
    });
    expect(await transport.send(request('https://a.example/big', 'GET', 11))).toMatchObject({ status: 200 });
  });
});
