import type { AuditSink, PermissionChecker } from '@plinth/permissions';
import { checkOptions, getHostFunction, HTTP_TIMEOUT_MS, type HostFunctionRequest } from '@plinth/protocol';
import type { CapabilityBundle } from '../bundle/coverage.js';
import type { HostAnswer, HostCallContext } from '../bundle/host-bundle.js';
import { DEFAULT_BUNDLE_LIMITS } from '../bundle-limits.js';
import { httpBundleOptionsSchema } from '../options/capability-options.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { permissionGate } from '../bundle/permission-gate.js';

/** One request hop as a transport performs it: no redirects followed, the body already bytes. */
export interface HttpTransportRequest {
  readonly url: string;
  /** Upper-case token, e.g. `GET`. */
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | undefined;
  /** Already clamped to 1 s–300 s. */
  readonly timeoutMs: number;
  /** A transport stops reading past this many body bytes and answers `too_large`. */
  readonly maxResponseBytes: number;
}

/** The answer to one hop: status, headers and the whole body (a 3xx too: the bundle follows redirects). */
export interface HttpTransportResponse {
  readonly status: number;
  /** Lower-case names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** Why a hop produced no response. The bundle words `timeout` and `too_large` itself, so every backend reads alike. */
export type HttpTransportFailureReason = 'timeout' | 'too_large' | 'blocked_address' | 'network';

/**
 * A hop that produced no response. For `blocked_address` and `network` the guest sees `message`, so it must
 * name no host internals.
 */
export interface HttpTransportFailure {
  readonly failure: HttpTransportFailureReason;
  readonly message: string;
}

/** What an HTTP backend must provide: one hop, never following redirects, never throwing for network errors. */
export interface HttpTransport {
  /** Performs one hop: the response, or a failure (a rejection is answered as a `network` failure too). */
  send(request: HttpTransportRequest): Promise<HttpTransportResponse | HttpTransportFailure>;
}

/** Size and time limits of `createHttpBundle`. */
export interface HttpBundleLimits {
  /** Largest response body accepted (default `DEFAULT_BUNDLE_LIMITS.httpResponseMaxBytes`, 16 MiB). */
  responseMaxBytes: number;
  /** Timeout when the guest gives none (default 30 s); always clamped to 1 s–300 s. */
  defaultTimeoutMs: number;
}

/** Options of `createHttpBundle`: the transport, the checker for `http_requests`, limits and redirects. */
export interface HttpBundleOptions {
  transport: HttpTransport;
  permissions: PermissionChecker;
  limits?: Partial<HttpBundleLimits> | undefined;
  /** Redirect hops followed before giving up (default 10; 0 answers every 3xx as it is). */
  maxRedirects?: number | undefined;
  /** Ask the user for "not configured" targets (see `PermissionGateOptions.ask`). */
  ask?: boolean | undefined;
  audit?: AuditSink | undefined;
}

/** Redirect hops `createHttpBundle` follows when `maxRedirects` is not given. */
export const DEFAULT_MAX_REDIRECTS = 10;

const NAME = 'host_http_request';
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const CONTROL = /[\r\n\0]/;
/** Methods a fetch client refuses: tunnelling and request echo. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);
/** Framing and connection headers belong to the client; a guest setting them could smuggle requests. */
const HOST_OWNED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
]);
/** Dropped on a cross-origin redirect, as fetch does, so credentials never follow to another host. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
/** Describe a dropped body; kept only while the body is. */
const BODY_HEADERS = new Set(['content-type', 'content-encoding', 'content-language', 'content-location']);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

type Hop = Omit<HttpTransportRequest, 'timeoutMs' | 'maxResponseBytes'>;

const utf8 = new TextDecoder();
const failure = (message: string): HostAnswer => ({ failure: message });

/**
 * `host_http_request` over a transport: validates the URL, method and headers, clamps the timeout,
 * checks `http_requests` on the full URL, then follows redirects itself, checking permission again on
 * every hop. The handler answers a promise, so it works only in the isolated lane (which awaits host
 * functions); the in-thread lane answers it as an internal error.
 */
export function createHttpBundle(options: HttpBundleOptions): CapabilityBundle<'http'> {
  checkOptions('createHttpBundle', httpBundleOptionsSchema, options);
  const { transport } = options;
  const maxResponseBytes = options.limits?.responseMaxBytes ?? DEFAULT_BUNDLE_LIMITS.httpResponseMaxBytes;
  const defaultTimeoutMs = options.limits?.defaultTimeoutMs ?? DEFAULT_BUNDLE_LIMITS.httpTimeoutMs;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const gate = permissionGate({
    permissions: options.permissions,
    ask: options.ask,
    audit: options.audit,
  });
  const spec = getHostFunction(NAME);

  const run = async (request: HostFunctionRequest<typeof NAME>, context: HostCallContext) => {
    const first = prepareHop(request);
    if (typeof first === 'string') return failure(first);
    const timeoutMs = clampHttpTimeout(request.timeout_ms ?? defaultTimeoutMs);
    let hop = first;
    for (let redirects = 0; ; redirects += 1) {
      const target = spec.permission?.target({ ...request, url: hop.url }) ?? hop.url;
      const decision = await gate.decide('http_requests', target, context, NAME);
      if (!decision.allowed) {
        return failure(redirects === 0 ? decision.message : `redirect refused: ${decision.message}`);
      }
      const result = await sendSafely(transport, { ...hop, timeoutMs, maxResponseBytes });
      if ('failure' in result) return failure(describeFailure(result, timeoutMs, maxResponseBytes));
      if (result.body.length > maxResponseBytes) return failure(tooLarge(maxResponseBytes));
      const next = maxRedirects === 0 ? null : redirectTarget(hop, result);
      if (next === null) return renderResponse(result);
      if (typeof next === 'string') return failure(next);
      if (redirects >= maxRedirects) return failure(`too many redirects (more than ${maxRedirects})`);
      hop = next;
    }
  };
  return { [NAME]: run };
}

/** Clamps a guest's timeout into 1 s–300 s (whole milliseconds). */
export function clampHttpTimeout(timeoutMs: number): number {
  const whole = Number.isFinite(timeoutMs) ? Math.round(timeoutMs) : HTTP_TIMEOUT_MS.max;
  return Math.min(HTTP_TIMEOUT_MS.max, Math.max(HTTP_TIMEOUT_MS.min, whole));
}

/** The next hop of a redirect, `null` for a final answer, or what is wrong with the redirect. */
function redirectTarget(hop: Hop, response: HttpTransportResponse): Hop | string | null {
  if (!REDIRECT_STATUSES.has(response.status)) return null;
  const location = response.headers['location'];
  if (location === undefined || location === '') return null;
  let url: URL;
  try {
    url = new URL(location, hop.url);
  } catch {
    return `redirect Location ${JSON.stringify(location)} is not a valid URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `redirect to '${url.href}' refused: only http and https URLs are allowed`;
  }
  url.hash = '';
  // 303 always, and 301/302 after a POST, become a bodiless GET (what every browser does).
  const toGet =
    (response.status === 303 && hop.method !== 'HEAD') ||
    ((response.status === 301 || response.status === 302) && hop.method === 'POST');
  const crossOrigin = url.origin !== new URL(hop.url).origin;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(hop.headers)) {
    const lower = name.toLowerCase();
    if (crossOrigin && CREDENTIAL_HEADERS.has(lower)) continue;
    if (toGet && BODY_HEADERS.has(lower)) continue;
    headers[name] = value;
  }
  return {
    url: url.href,
    method: toGet ? 'GET' : hop.method,
    headers,
    body: toGet ? undefined : hop.body,
  };
}

/** Checks the guest's request and builds the first hop, or answers what is wrong with it. */
function prepareHop(request: HostFunctionRequest<typeof NAME>): Hop | string {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return `url ${JSON.stringify(request.url)} is not a valid absolute URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `url must use http or https (got ${url.protocol.slice(0, -1)})`;
  }
  const method = request.method.toUpperCase();
  if (!TOKEN.test(method)) return `method ${JSON.stringify(request.method)} is not a valid HTTP method`;
  if (FORBIDDEN_METHODS.has(method)) return `method ${method} is not allowed`;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (CONTROL.test(name) || !TOKEN.test(name)) {
      return `header name ${JSON.stringify(name)} is not a valid HTTP header name (CR, LF, NUL and separators are refused)`;
    }
    if (CONTROL.test(value)) {
      return `header ${JSON.stringify(name)} has a value containing CR, LF or NUL, which is refused`;
    }
    if (HOST_OWNED_HEADERS.has(name.toLowerCase())) {
      return `header ${JSON.stringify(name)} is set by the host and may not be given`;
    }
    headers[name] = value;
  }
  let body: Uint8Array | undefined;
  if (request.body_base64 !== undefined) body = decodeBase64(request.body_base64);
  else if (request.body !== undefined) body = new TextEncoder().encode(request.body);
  url.hash = '';
  return { url: url.href, method, headers, body };
}

async function sendSafely(
  transport: HttpTransport,
  request: HttpTransportRequest,
): Promise<HttpTransportResponse | HttpTransportFailure> {
  try {
    return await transport.send(request);
  } catch (error) {
    // A transport should answer failures, not throw; a throw still must not reach the guest as a trap.
    const reason = error instanceof Error ? error.message : String(error);
    return { failure: 'network', message: `request failed: ${reason}` };
  }
}

function describeFailure(result: HttpTransportFailure, timeoutMs: number, maxBytes: number): string {
  if (result.failure === 'timeout') return `request timed out after ${timeoutMs} ms`;
  if (result.failure === 'too_large') return tooLarge(maxBytes);
  return result.message;
}

const tooLarge = (maxBytes: number) =>
  `response body is larger than the limit of ${maxBytes} bytes (httpResponseMaxBytes)`;

function renderResponse(response: HttpTransportResponse): string {
  return JSON.stringify({
    status: response.status,
    headers: response.headers,
    body: utf8.decode(response.body),
    body_base64: encodeBase64(response.body),
  });
}
