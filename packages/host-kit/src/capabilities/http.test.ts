import {
  createAllowAllChecker,
  createAskChecker,
  createDenyAllChecker,
  createPolicyChecker,
} from '@plinth/permissions';
import { getHostFunction } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import {
  clampHttpTimeout,
  createHttpBundle,
  type HttpBundleOptions,
  type HttpTransport,
  type HttpTransportFailure,
  type HttpTransportRequest,
  type HttpTransportResponse,
} from './http.js';

type Reply = HttpTransportResponse | HttpTransportFailure | Error;
const spec = getHostFunction('host_http_request');
const encoder = new TextEncoder();

/** A transport answering from a list of replies in order, recording every hop. */
function scripted(...replies: Reply[]) {
  const hops: HttpTransportRequest[] = [];
  const transport: HttpTransport = {
    send(request) {
      hops.push(request);
      const reply = replies.shift() ?? { status: 200, headers: {}, body: new Uint8Array() };
      return reply instanceof Error ? Promise.reject(reply) : Promise.resolve(reply);
    },
  };
  return { hops, transport };
}
const redirect = (status: number, location: string): HttpTransportResponse => ({
  status,
  headers: { location },
  body: new Uint8Array(),
});
const ok = (body = 'ok'): HttpTransportResponse => ({ status: 200, headers: {}, body: encoder.encode(body) });

async function call(
  transport: HttpTransport,
  input: unknown,
  options: Partial<HttpBundleOptions> = {},
): Promise<Record<string, unknown>> {
  const bundle = createHttpBundle({ transport, permissions: createAllowAllChecker(), ...options });
  const decoded = spec.decodeRequest(JSON.stringify(input));
  if (!decoded.ok) throw decoded.error;
  const answer = await bundle.host_http_request?.(decoded.value, { pluginId: 'acme.http', exportName: 'x' });
  const text =
    typeof answer === 'string' ? answer : spec.failureOutput((answer as { failure: string }).failure);
  return JSON.parse(text) as Record<string, unknown>;
}
const errorOf = async (...args: Parameters<typeof call>) => (await call(...args))['error'];

describe('createHttpBundle: requests', () => {
  it('upper-cases the method, drops the fragment and sends the body bytes', async () => {
    const { hops, transport } = scripted(ok());
    await call(transport, { url: 'https://a.example/p?q=1#frag', method: 'patch', body: 'Zoë' });
    expect(hops[0]).toMatchObject({
      url: 'https://a.example/p?q=1',
      method: 'PATCH',
      body: encoder.encode('Zoë'),
    });
  });

  it('refuses malformed URLs, bad or forbidden methods and host-owned headers, naming them', async () => {
    const { hops, transport } = scripted();
    expect(await errorOf(transport, { url: 'not a url' })).toBe(
      'host_http_request: url "not a url" is not a valid absolute URL',
    );
    expect(await errorOf(transport, { url: 'https://a.example/', method: 'GET /x' })).toBe(
      'host_http_request: method "GET /x" is not a valid HTTP method',
    );
    expect(await errorOf(transport, { url: 'https://a.example/', method: 'connect' })).toBe(
      'host_http_request: method CONNECT is not allowed',
    );
    for (const name of ['Host', 'Content-Length', 'Transfer-Encoding']) {
      expect(await errorOf(transport, { url: 'https://a.example/', headers: { [name]: '1' } })).toBe(
        `host_http_request: header "${name}" is set by the host and may not be given`,
      );
    }
    expect(hops).toEqual([]);
  });

  it('denies under deny-all, says "not configured" for a plugin without a rule, and asks when ask is set', async () => {
    const { hops, transport } = scripted(ok('asked'));
    expect(
      await errorOf(transport, { url: 'https://a.example/' }, { permissions: createDenyAllChecker() }),
    ).toBe(
      "host_http_request: Permission denied for plugin 'acme.http': http_requests on 'https://a.example/'",
    );
    const policy = createPolicyChecker({ policy: { plugins: {} } });
    expect(await errorOf(transport, { url: 'https://a.example/' }, { permissions: policy })).toBe(
      "host_http_request: Permission not configured for plugin 'acme.http': http_requests on 'https://a.example/'. Add plugins.acme.http.permissions.http_requests to the policy.",
    );
    expect(hops).toEqual([]);
    const asked: string[] = [];
    const permissions = createAskChecker({
      base: policy,
      ask: (prompt) => {
        asked.push(prompt.target);
        return Promise.resolve('allow_once' as const);
      },
    });
    expect(await call(transport, { url: 'https://a.example/' }, { permissions, ask: true })).toMatchObject({
      status: 200,
      body: 'asked',
    });
    expect(asked).toEqual(['https://a.example/']);
  });

  it('clamps timeouts into 1 s–300 s', () => {
    expect([0, 999.6, 1_000, 12_345.4, 300_001, Number.POSITIVE_INFINITY].map(clampHttpTimeout)).toEqual([
      1_000, 1_000, 1_000, 12_345, 300_000, 300_000,
    ]);
  });
});

describe('createHttpBundle: transport failures', () => {
  it('words timeouts and oversize bodies itself, and passes other messages through', async () => {
    const timeout = scripted({ failure: 'timeout', message: 'x' });
    expect(await errorOf(timeout.transport, { url: 'https://a.example/', timeout_ms: 2_000 })).toBe(
      'host_http_request: request timed out after 2000 ms',
    );
    const blocked = scripted({ failure: 'blocked_address', message: 'destination refused: 10.0.0.1' });
    expect(await errorOf(blocked.transport, { url: 'https://a.example/' })).toBe(
      'host_http_request: destination refused: 10.0.0.1',
    );
  });

  it('refuses a body over the cap even from a transport that ignored it', async () => {
    const { transport } = scripted(ok('12345'));
    expect(await errorOf(transport, { url: 'https://a.example/' }, { limits: { responseMaxBytes: 4 } })).toBe(
      'host_http_request: response body is larger than the limit of 4 bytes (httpResponseMaxBytes)',
    );
  });

  it('turns a throwing transport into a failure answer', async () => {
    const { transport } = scripted(new Error('socket exploded'));
    expect(await errorOf(transport, { url: 'https://a.example/' })).toBe(
      'host_http_request: request failed: socket exploded',
    );
  });
});

describe('createHttpBundle: redirects', () => {
  it('drops credentials on a cross-origin hop and keeps them on a same-origin one', async () => {
    const headers = { Authorization: 'Bearer t', Cookie: 'c=1', 'X-Keep': 'k' };
    const { hops, transport } = scripted(
      redirect(307, '/same'),
      redirect(307, 'https://b.example/other'),
      ok(),
    );
    await call(transport, { url: 'https://a.example/start', headers });
    expect(hops.map((hop) => [hop.url, hop.headers])).toEqual([
      ['https://a.example/start', headers],
      ['https://a.example/same', headers],
      ['https://b.example/other', { 'X-Keep': 'k' }],
    ]);
  });

  it('turns 301/302 after POST and any 303 into a bodiless GET, dropping body headers; HEAD stays HEAD', async () => {
    const post = { method: 'POST', body: 'x', headers: { 'Content-Type': 'text/plain', 'X-Keep': 'k' } };
    for (const status of [301, 302, 303]) {
      const { hops, transport } = scripted(redirect(status, '/next'), ok());
      await call(transport, { url: 'https://a.example/', ...post });
      expect(hops[1]).toMatchObject({ method: 'GET', body: undefined, headers: { 'X-Keep': 'k' } });
    }
    const head = scripted(redirect(303, '/next'), ok());
    await call(head.transport, { url: 'https://a.example/', method: 'HEAD' });
    expect(head.hops[1]?.method).toBe('HEAD');
    const put = scripted(redirect(302, '/next'), ok());
    await call(put.transport, { url: 'https://a.example/', method: 'PUT', body: 'x' });
    expect(put.hops[1]).toMatchObject({ method: 'PUT', body: encoder.encode('x') });
  });

  it('answers 300, 304 and a 3xx without Location as they are, and every 3xx with maxRedirects 0', async () => {
    for (const reply of [redirect(300, '/x'), redirect(304, '/x'), { ...redirect(302, ''), headers: {} }]) {
      const { hops, transport } = scripted(reply);
      expect((await call(transport, { url: 'https://a.example/' }))['status']).toBe(reply.status);
      expect(hops).toHaveLength(1);
    }
    const { transport } = scripted(redirect(302, '/x'));
    expect(await call(transport, { url: 'https://a.example/' }, { maxRedirects: 0 })).toMatchObject({
      status: 302,
      headers: { location: '/x' },
    });
  });

  it('refuses a redirect to another scheme or an unparseable Location', async () => {
    const file = scripted(redirect(302, 'file:///etc/passwd'));
    expect(await errorOf(file.transport, { url: 'https://a.example/' })).toBe(
      "host_http_request: redirect to 'file:///etc/passwd' refused: only http and https URLs are allowed",
    );
    const bad = scripted(redirect(302, 'http://[oops/'));
    expect(await errorOf(bad.transport, { url: 'https://a.example/' })).toBe(
      'host_http_request: redirect Location "http://[oops/" is not a valid URL',
    );
  });

  it('checks the policy on every hop, so a subdomain grant does not follow to another host', async () => {
    const permissions = createPolicyChecker({
      policy: {
        plugins: {
          'acme.http': {
            permissions: { http_requests: { include: ['a.example'], exclude: ['169.254.169.254'] } },
          },
        },
      },
    });
    const { hops, transport } = scripted(
      redirect(302, 'https://api.a.example/'),
      redirect(302, 'http://169.254.169.254/'),
    );
    expect(await errorOf(transport, { url: 'https://a.example/' }, { permissions })).toBe(
      "host_http_request: redirect refused: Permission denied for plugin 'acme.http': http_requests on 'http://169.254.169.254/'",
    );
    expect(hops.map((hop) => hop.url)).toEqual(['https://a.example/', 'https://api.a.example/']);
  });
});
