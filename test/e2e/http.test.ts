import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeHttpBundle, type NodeHttpBundle } from '@plinth/host-node/http';
import { createPolicyChecker, type PermissionChecker } from '@plinth/permissions';
import { combineBundles } from '@plinth/host-kit';
import { openProtocolPluginFrom, type ProtocolPlugin } from '@plinth/runtime';
import { createIsolatedLane } from '@plinth/runtime/node';
import { getGuest, guestBytes } from '@plinth/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const GOLDEN_ID = 'plinth-golden.http';
const HOSTILE_ID = 'hostile.http-ungranted';
const requests: { method: string; url: string; headers: Record<string, unknown>; body: string }[] = [];
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      if (request.url === '/json')
        return response.writeHead(200, { 'content-type': 'application/json' }).end('{"n":1,"s":"Zoë"}');
      if (request.url === '/missing') return response.writeHead(404).end('no such page');
      if (request.url === '/hop') return response.writeHead(302, { location: '/json' }).end();
      if (request.url === '/away')
        return response.writeHead(302, { location: 'https://not-granted.example/' }).end();
      response.writeHead(200, { 'content-type': 'text/plain' }).end(`${request.method} ${body}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const opened: { plugin: ProtocolPlugin; http: NodeHttpBundle }[] = [];
afterEach(async () => {
  for (const { plugin, http } of opened.splice(0)) {
    await plugin.shutdown();
    await http.close();
  }
});

const grant = (pluginId: string, hosts: string[]): PermissionChecker =>
  createPolicyChecker({
    policy: { plugins: { [pluginId]: { permissions: { http_requests: { include: hosts } } } } },
  });

/** A guest on the isolated lane (the HTTP handler is async) behind the real undici bundle. */
async function load(
  guest: string,
  expectedId: string,
  permissions: PermissionChecker,
  allowLoopback: boolean,
) {
  const http = createNodeHttpBundle({
    permissions,
    network: allowLoopback ? { allowPrivateHosts: ['127.0.0.1'] } : {},
  });
  const plugin = await openProtocolPluginFrom({
    source: { bytes: guestBytes(guest) },
    hostAppVersion: '1.0.0',
    expectedId,
    lane: createIsolatedLane,
    bundle: combineBundles(http.bundle, { host_log: () => '' }),
  });
  opened.push({ plugin, http });
  return plugin;
}

describe('golden as-http through the undici bundle on the isolated lane', () => {
  it('fetches text, JSON, a 404 status and follows a redirect; a POST body reaches the server', async () => {
    const plugin = await load('as-http', GOLDEN_ID, grant(GOLDEN_ID, ['127.0.0.1']), true);
    requests.length = 0;
    expect(await plugin.command('fetch', { url: `${origin}/text` })).toEqual({
      success: true,
      data: { status: 200, body: 'GET ' },
    });
    expect(
      await plugin.command('fetch', {
        url: `${origin}/echo`,
        method: 'POST',
        body: 'Zoë 🌍',
        headers: { 'X-Test': 'yes' },
      }),
    ).toEqual({
      success: true,
      data: { status: 200, body: 'POST Zoë 🌍' },
    });
    expect(requests.at(-1)).toMatchObject({ method: 'POST', body: 'Zoë 🌍', headers: { 'x-test': 'yes' } });
    expect(await plugin.command('fetch_json', { url: `${origin}/json` })).toEqual({
      success: true,
      data: { status: 200, json: { n: 1, s: 'Zoë' } },
    });
    expect(await plugin.command('fetch', { url: `${origin}/missing` })).toEqual({
      success: true,
      data: { status: 404, body: 'no such page' },
    });
    expect(await plugin.command('fetch_json', { url: `${origin}/hop` })).toEqual({
      success: true,
      data: { status: 200, json: { n: 1, s: 'Zoë' } },
    });
    expect(requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /text',
      'POST /echo',
      'GET /json',
      'GET /missing',
      'GET /hop',
      'GET /json',
    ]);
  });

  it('surfaces a denied redirect and an ungranted URL as permission_denied command errors', async () => {
    const permissions = grant(GOLDEN_ID, ['127.0.0.1']);
    const plugin = await load('as-http', GOLDEN_ID, permissions, true);
    const denial = (target: string) =>
      permissions.check({ pluginId: GOLDEN_ID, type: 'http_requests', target }).message;
    expect(await plugin.command('fetch', { url: `${origin}/away` })).toMatchObject({
      success: false,
      error: `host_http_request: redirect refused: ${denial('https://not-granted.example/')}`,
      error_code: 'permission_denied',
    });
    expect(await plugin.command('fetch', { url: 'https://elsewhere.example/' })).toMatchObject({
      success: false,
      error: `host_http_request: ${denial('https://elsewhere.example/')}`,
      error_code: 'permission_denied',
    });
  });
});

describe('hostile-http-ungranted', () => {
  const shapeH = (message: string) =>
    JSON.stringify({
      status: 0,
      headers: {},
      body: `host_http_request: ${message}`,
      error: `host_http_request: ${message}`,
    });
  const permissions = grant(HOSTILE_ID, ['granted.example']);
  const denial = (target: string) =>
    permissions.check({ pluginId: HOSTILE_ID, type: 'http_requests', target }).message;
  const outcomes = Object.fromEntries(
    (getGuest('hostile-http-ungranted').triggers ?? []).map((t) => [t.command, t.outcome]),
  );

  it('is denied ungranted, loopback and metadata URLs before any connection', async () => {
    expect(outcomes).toMatchObject({
      fetch_ungranted: 'denied:http_requests',
      fetch_loopback: 'denied:http_requests',
      fetch_metadata: 'denied:http_requests',
    });
    const plugin = await load('hostile-http-ungranted', HOSTILE_ID, permissions, false);
    requests.length = 0;
    expect(await plugin.command('fetch_ungranted')).toEqual({
      success: true,
      data: shapeH(denial('https://not-granted.example/')),
    });
    expect(await plugin.command('fetch_loopback')).toEqual({
      success: true,
      data: [shapeH(denial('http://127.0.0.1:9/')), shapeH(denial('http://localhost/'))],
    });
    expect(await plugin.command('fetch_metadata')).toEqual({
      success: true,
      data: shapeH(denial('http://169.254.169.254/latest/meta-data/')),
    });
    expect(requests).toEqual([]);
  });

  it('has a CR/LF header refused before sending, even to a granted server', async () => {
    expect(outcomes['header_injection']).toBe('rejected:invalid_input');
    const plugin = await load('hostile-http-ungranted', HOSTILE_ID, grant(HOSTILE_ID, ['127.0.0.1']), true);
    requests.length = 0;
    expect(await plugin.command('header_injection', { url: `${origin}/text` })).toEqual({
      success: true,
      data: shapeH('header "X-Test" has a value containing CR, LF or NUL, which is refused'),
    });
    expect(requests).toEqual([]);
  });
});
