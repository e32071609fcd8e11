import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NOTES, openTestHost, type TestHost } from './__fixtures__/test-host.js';
import type { ServedDashboard } from './dashboard-options.js';
import { serveDashboard } from './serve-dashboard.js';

let fixture: TestHost;
let served: ServedDashboard | undefined;

beforeEach(async () => {
  fixture = await openTestHost();
});
afterEach(async () => {
  await served?.close();
  served = undefined;
  await fixture.close();
});

/** Signs in over HTTP as a browser would: the printed URL answers a session cookie. */
async function cookieFor(dashboard: ServedDashboard): Promise<string> {
  const response = await fetch(dashboard.url, { redirect: 'manual' });
  expect(response.status).toBe(303);
  return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

/** Reads server-sent events until one's data contains `text`. */
async function readUntil(body: ReadableStream<Uint8Array>, text: string): Promise<string> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let seen = '';
  while (!seen.includes(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before ${text}; it sent: ${seen}`);
    seen += value;
  }
  await reader.cancel();
  return seen;
}

describe('serveDashboard', () => {
  it('listens on 127.0.0.1 and prints an address with the token', async () => {
    served = await serveDashboard(fixture.host);
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/plugins\?token=[A-Za-z0-9_-]{43}$/);
    expect(served.url).toContain(`:${served.port}/`);
    const cookie = await cookieFor(served);
    const page = await fetch(`http://127.0.0.1:${served.port}/plugins`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(NOTES);
  });

  it('refuses a Host naming another port or name than its own', async () => {
    served = await serveDashboard(fixture.host);
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const request = httpRequest({
          host: '127.0.0.1',
          port: served?.port,
          path: '/plugins',
          headers: { host },
        });
        request.on('response', (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end();
      });
    expect(await status(`localhost:${served.port}`)).toBe(401);
    expect(await status(`127.0.0.1:${served.port + 1}`)).toBe(403);
    expect(await status(`rebound.example:${served.port}`)).toBe(403);
  });

  it('streams a new log line to the logs page live, as a server-sent event', async () => {
    served = await serveDashboard(fixture.host);
    const cookie = await cookieFor(served);
    const stream = await fetch(`http://127.0.0.1:${served.port}/logs/stream?plugin=${NOTES}&level=warn`, {
      headers: { cookie, accept: 'text/event-stream' },
    });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    // Denied (nothing grants read_files): the denial is a warn line of this plugin.
    await fixture.host.command(NOTES, 'word_count', { path: 'a.md' });
    const seen = await readUntil(stream.body as ReadableStream<Uint8Array>, 'permission');
    expect(seen).toMatch(
      /event: entry\ndata: \{"id":\d+,.*"level":"warn","source":"permissions","pluginId":"plinth-golden\.notes",.*\}\nid: \d+\n/,
    );
  });

  it('ends open streams when it closes', async () => {
    served = await serveDashboard(fixture.host);
    const cookie = await cookieFor(served);
    const stream = await fetch(`http://127.0.0.1:${served.port}/logs/stream`, { headers: { cookie } });
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const closing = served.close();
    served = undefined;
    await closing;
    // Whether the last read sees the end or the cut connection, the stream is over.
    const last = await reader.read().then(
      (result) => result.done,
      () => true,
    );
    expect(last).toBe(true);
  });

  it('refuses any address beyond this machine with a typed error', async () => {
    const untyped = serveDashboard as (host: unknown, options: unknown) => Promise<unknown>;
    await expect(untyped(fixture.host, { hostname: '0.0.0.0' })).rejects.toMatchObject({
      code: 'invalid_options',
      message: expect.stringContaining(
        'serveDashboard: option `hostname` must be a loopback address: 127.0.0.1, localhost or ::1',
      ) as string,
    });
  });
});
