import { createPolicyChecker } from '@plinth/permissions';
import {
  createHttpBundle,
  type HostBundle,
  type HttpBundleOptions,
  type HttpTransport,
  type HttpTransportRequest,
} from '@plinth/host-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callWire } from './wire.js';

/** A request as the contract server sees it. */
export interface HttpContractServerRequest {
  method: string;
  /** Path and query, e.g. `/status/404?x=1`. */
  path: string;
  /** Lower-case names. */
  headers: Readonly<Record<string, string>>;
  body: Uint8Array;
}

/** What the contract server answers one request with. */
export interface HttpContractServerResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/** A backend under test: its transport must reach a server answering `respondToHttpContractRequest` at `origin`. */
export interface HttpContractSubject {
  transport: HttpTransport;
  /** Where the contract server listens, e.g. `http://127.0.0.1:54321` (no trailing slash). */
  origin: string;
  /** Stops the server and frees the transport; called once, after the suite. */
  close?: () => void | Promise<void>;
  /**
   * How the transport sees a redirect. `'visible'` (the default): it answers the 3xx with its Location, and
   * the bundle follows it hop by hop. `'opaque'`: it cannot see where a redirect goes (a browser's fetch
   * with `redirect: 'manual'`), so it must answer a redirect as a failure that names it, never follow it.
   */
  redirects?: 'visible' | 'opaque' | undefined;
}

/** The plugin id the HTTP suite calls as; the suite's policy grants it the contract server's host. */
export const HTTP_CONTRACT_PLUGIN_ID = 'contract.http';
/** Bytes that are not UTF-8, to show bodies travel losslessly in `body_base64`. */
export const HTTP_CONTRACT_BINARY = new Uint8Array([0x00, 0xff, 0x10, 0x80, 0xfe, 0x41]);
/** Text with non-ASCII characters the contract server answers, to show bodies decode as UTF-8. */
export const HTTP_CONTRACT_TEXT = 'hello, Zoë 🌍';

/** The server half of the contract: what every subject's server answers, path by path. */
export function respondToHttpContractRequest(request: HttpContractServerRequest): HttpContractServerResponse {
  const url = new URL(request.path, 'http://contract.invalid');
  const text = { 'content-type': 'text/plain; charset=utf-8' };
  if (url.pathname === '/text')
    return { status: 200, headers: { ...text, 'x-contract': 'yes' }, body: HTTP_CONTRACT_TEXT };
  const status = /^\/status\/(\d{3})$/.exec(url.pathname);
  if (status) return { status: Number(status[1]), headers: text, body: `status ${status[1]}` };
  if (url.pathname === '/binary') {
    return {
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: HTTP_CONTRACT_BINARY,
    };
  }
  if (url.pathname === '/echo') {
    const echo = {
      method: request.method,
      body_base64: btoa(String.fromCharCode(...request.body)),
      x_test: request.headers['x-test'] ?? null,
      content_type: request.headers['content-type'] ?? null,
      authorization: request.headers['authorization'] ?? null,
    };
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(echo) };
  }
  if (url.pathname === '/redirect') {
    const location = url.searchParams.get('to') ?? '/text';
    return { status: Number(url.searchParams.get('status') ?? '302'), headers: { location }, body: '' };
  }
  if (url.pathname === '/loop') return { status: 302, headers: { location: '/loop' }, body: '' };
  if (url.pathname === '/big') {
    return { status: 200, headers: text, body: 'a'.repeat(Number(url.searchParams.get('bytes') ?? '0')) };
  }
  return { status: 404, headers: text, body: 'unknown contract path' };
}

/** Calls `host_http_request` as a guest would: request (text, or a value to stringify) in, wire answer out. */
export function callHttpHostFunction(
  bundle: HostBundle,
  input: unknown,
  pluginId = HTTP_CONTRACT_PLUGIN_ID,
): Promise<string> {
  return callWire(bundle, 'host_http_request', input, pluginId);
}

const grantHost = (host: string) =>
  createPolicyChecker({
    policy: {
      plugins: { [HTTP_CONTRACT_PLUGIN_ID]: { permissions: { http_requests: { include: [host] } } } },
    },
  });

const shapeH = (message: string) =>
  JSON.stringify({
    status: 0,
    headers: {},
    body: `host_http_request: ${message}`,
    error: `host_http_request: ${message}`,
  });

/**
 * The shared HTTP contract: any transport, put behind `createHttpBundle`, must give guests exactly these
 * answers. The suite grants `http_requests` on the subject's host only and records what the transport sees.
 */
export function describeHttpContract(
  label: string,
  makeSubject: () => HttpContractSubject | Promise<HttpContractSubject>,
): void {
  describe(`host_http_request contract: ${label}`, () => {
    let subject: HttpContractSubject;
    let seen: HttpTransportRequest[];
    let host: string;

    beforeAll(async () => {
      subject = await makeSubject();
      host = new URL(subject.origin).hostname.replace(/^\[|\]$/g, '');
    });
    afterAll(async () => {
      await subject.close?.();
    });

    const bundle = (options: Partial<HttpBundleOptions> = {}): HostBundle => {
      seen = [];
      const recording: HttpTransport = {
        send: (request) => {
          seen.push(request);
          return subject.transport.send(request);
        },
      };
      return createHttpBundle({ transport: recording, permissions: grantHost(host), ...options });
    };
    const call = async (input: unknown, options?: Partial<HttpBundleOptions>) =>
      JSON.parse(await callHttpHostFunction(bundle(options), input)) as Record<string, unknown>;
    const url = (path: string) => `${subject.origin}${path}`;
    /** The checker's own refusal text, so the suite pins the exact message without re-deriving it. */
    const refusal = (target: string) =>
      grantHost(host).check({ pluginId: HTTP_CONTRACT_PLUGIN_ID, type: 'http_requests', target }).message;

    it('answers status, lower-case headers, text body and its base64', async () => {
      const answer = await call({ url: url('/text'), method: 'GET', headers: {} });
      expect(answer).toMatchObject({ status: 200, body: HTTP_CONTRACT_TEXT });
      expect(answer['body_base64']).toBe(
        btoa(String.fromCharCode(...new TextEncoder().encode(HTTP_CONTRACT_TEXT))),
      );
      expect(answer['headers']).toMatchObject({
        'x-contract': 'yes',
        'content-type': 'text/plain; charset=utf-8',
      });
    });

    it('answers 404 and 500 as statuses, not failures', async () => {
      expect(await call({ url: url('/status/404') })).toMatchObject({ status: 404, body: 'status 404' });
      expect(await call({ url: url('/status/500'), method: 'post' })).toMatchObject({
        status: 500,
        body: 'status 500',
      });
      expect(await call({ url: url('/status/500') })).not.toHaveProperty('error');
    });

    it('carries a binary body losslessly in body_base64', async () => {
      const answer = await call({ url: url('/binary') });
      expect(answer['body_base64']).toBe('AP8QgP5B');
      expect(answer['body']).toBe('\u0000\uFFFD\u0010\uFFFD\uFFFDA');
    });

    it('sends a text body, and a base64 body that wins over it, with the guest headers', async () => {
      const text = await call({
        url: url('/echo'),
        method: 'POST',
        headers: { 'X-Test': 'yes', 'Content-Type': 'text/plain' },
        body: 'Zoë',
      });
      expect(JSON.parse(text['body'] as string)).toEqual({
        method: 'POST',
        body_base64: 'Wm/Dqw==',
        x_test: 'yes',
        content_type: 'text/plain',
        authorization: null,
      });
      const binary = await call({
        url: url('/echo'),
        method: 'PUT',
        body: 'ignored',
        body_base64: 'AP8QgP5B',
      });
      expect(JSON.parse(binary['body'] as string)).toMatchObject({ method: 'PUT', body_base64: 'AP8QgP5B' });
    });

    it('refuses CR, LF and NUL in header names and values before sending', async () => {
      for (const headers of [
        { 'X-Test': 'a\r\nInjected: yes' },
        { 'X-Test': 'a\nb' },
        { 'X-Test': 'a\0b' },
      ]) {
        expect(await call({ url: url('/echo'), headers })).toEqual(
          JSON.parse(shapeH('header "X-Test" has a value containing CR, LF or NUL, which is refused')),
        );
      }
      expect(await call({ url: url('/echo'), headers: { 'X-A\r\nB': 'v' } })).toMatchObject({
        status: 0,
        error:
          'host_http_request: header name "X-A\\r\\nB" is not a valid HTTP header name (CR, LF, NUL and separators are refused)',
      });
      expect(seen).toEqual([]);
    });

    it('refuses a scheme other than http and https', async () => {
      for (const [target, scheme] of [
        ['file:///etc/passwd', 'file'],
        ['ftp://files.example/x', 'ftp'],
        ['javascript:alert(1)', 'javascript'],
      ] as const) {
        expect(await call({ url: target })).toEqual(
          JSON.parse(shapeH(`url must use http or https (got ${scheme})`)),
        );
      }
      expect(seen).toEqual([]);
    });

    it('denies an ungranted host with the permission message, before any request', async () => {
      const message = refusal('https://not-granted.example/x');
      expect(message).toMatch(
        /^Permission (denied|not configured) for plugin 'contract\.http': http_requests on 'https:\/\/not-granted\.example\/x'/,
      );
      expect(await call({ url: 'https://not-granted.example/x' })).toEqual(JSON.parse(shapeH(message)));
      expect(seen).toEqual([]);
    });

    /** An opaque-redirect transport's answer: a failure naming the redirect, after one hop only. */
    const expectRedirectRefused = (answer: Record<string, unknown>) => {
      expect(answer).toMatchObject({ status: 0, headers: {} });
      expect(answer['error']).toMatch(/^host_http_request: .*redirect/);
      expect(seen).toHaveLength(1);
    };

    it('follows redirects (relative too), turning 303 into GET and keeping POST over 307', async () => {
      if (subject.redirects === 'opaque') {
        expectRedirectRefused(await call({ url: url('/redirect?status=301&to=text') }));
        expectRedirectRefused(
          await call({ url: url('/redirect?status=307&to=text'), method: 'POST', body: 'x' }),
        );
        return;
      }
      const relative = await call({ url: url('/redirect?status=301&to=text') });
      expect(relative).toMatchObject({ status: 200, body: HTTP_CONTRACT_TEXT });
      expect(seen.map((r) => r.url)).toEqual([url('/redirect?status=301&to=text'), url('/text')]);

      const to = encodeURIComponent('/echo');
      const seeOther = await call({ url: url(`/redirect?status=303&to=${to}`), method: 'POST', body: 'x' });
      expect(JSON.parse(seeOther['body'] as string)).toMatchObject({ method: 'GET', body_base64: '' });
      const temporary = await call({ url: url(`/redirect?status=307&to=${to}`), method: 'POST', body: 'x' });
      expect(JSON.parse(temporary['body'] as string)).toMatchObject({ method: 'POST', body_base64: 'eA==' });
    });

    it('checks permission again on a redirect and refuses one to an ungranted host', async () => {
      const to = encodeURIComponent('https://not-granted.example/steal');
      if (subject.redirects === 'opaque') {
        expectRedirectRefused(await call({ url: url(`/redirect?status=302&to=${to}`) }));
        return;
      }
      expect(await call({ url: url(`/redirect?status=302&to=${to}`) })).toEqual(
        JSON.parse(shapeH(`redirect refused: ${refusal('https://not-granted.example/steal')}`)),
      );
      expect(seen).toHaveLength(1);
    });

    it('stops a redirect loop at the hop limit', async () => {
      if (subject.redirects === 'opaque') {
        expectRedirectRefused(await call({ url: url('/loop') }, { maxRedirects: 3 }));
        return;
      }
      expect(await call({ url: url('/loop') }, { maxRedirects: 3 })).toEqual(
        JSON.parse(shapeH('too many redirects (more than 3)')),
      );
      expect(seen).toHaveLength(4);
    });

    it('clamps timeout_ms into 1 s–300 s, defaulting to the limit, as the transport sees it', async () => {
      for (const [timeout, expected] of [
        [5, 1_000],
        [1e9, 300_000],
        [4_500, 4_500],
        [undefined, 30_000],
      ] as const) {
        await call({ url: url('/text'), ...(timeout === undefined ? {} : { timeout_ms: timeout }) });
        expect(seen[0]?.timeoutMs).toBe(expected);
      }
      await call({ url: url('/text') }, { limits: { defaultTimeoutMs: 2_000 } });
      expect(seen[0]?.timeoutMs).toBe(2_000);
    });

    it('refuses a response over the size cap', async () => {
      const limits = { responseMaxBytes: 1_024 };
      expect(await call({ url: url('/big?bytes=1024') }, { limits })).toMatchObject({ status: 200 });
      expect(await call({ url: url('/big?bytes=4096') }, { limits })).toEqual(
        JSON.parse(shapeH('response body is larger than the limit of 1024 bytes (httpResponseMaxBytes)')),
      );
      expect(seen[0]?.maxResponseBytes).toBe(1_024);
    });
  });
}
