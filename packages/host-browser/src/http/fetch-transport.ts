import {
  readCappedBody,
  type HttpTransport,
  type HttpTransportFailure,
  type HttpTransportRequest,
  type HttpTransportResponse,
} from '@plinth/host-kit';
import { checkOptions } from '@plinth/protocol';
import { fetchTransportOptionsSchema } from '../options.js';

/** What `createFetchTransport` is told. */
export interface FetchTransportOptions {
  /** Default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
}

const BODILESS_METHODS = new Set(['GET', 'HEAD']);

/**
 * An `HttpTransport` over `fetch`: one hop per send (`redirect: 'manual'`, so `createHttpBundle` checks
 * every hop), no credentials (a plugin never sends the user's cookies), no referrer and no cache, the
 * response size enforced while reading. The browser's rules apply on top: a cross-origin server must allow
 * the page's origin by CORS, and a redirect is opaque to scripts, so it is answered as a failure (where a
 * runtime shows redirects to scripts, as Node's fetch does, the 3xx is answered and the bundle follows it).
 */
export function createFetchTransport(options: FetchTransportOptions = {}): HttpTransport {
  checkOptions('createFetchTransport', fetchTransportOptionsSchema, options);
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);

  return {
    async send(hop): Promise<HttpTransportResponse | HttpTransportFailure> {
      const refused = refusal(hop);
      if (refused !== undefined) return { failure: 'network', message: refused };
      const signal = AbortSignal.timeout(hop.timeoutMs);
      let response: Response;
      try {
        response = await fetchImpl(hop.url, {
          method: hop.method,
          headers: hop.headers,
          ...(hop.body === undefined ? {} : { body: new Uint8Array(hop.body) }),
          redirect: 'manual',
          credentials: 'omit',
          referrerPolicy: 'no-referrer',
          cache: 'no-store',
          signal,
        });
      } catch (error) {
        if (signal.aborted) return { failure: 'timeout', message: 'request timed out' };
        const reason = error instanceof Error ? error.message : String(error);
        return {
          failure: 'network',
          message: `request failed: ${reason} (a network error, or the server does not allow this page's origin by CORS)`,
        };
      }
      if (response.type === 'opaqueredirect') {
        return {
          failure: 'network',
          message: `${hop.url} answered a redirect, which the browser hides from scripts, so it cannot be checked and followed hop by hop`,
        };
      }
      try {
        const body = await readCappedBody(response, hop.maxResponseBytes);
        if (!body.ok)
          return { failure: 'too_large', message: `response body exceeds ${hop.maxResponseBytes} bytes` };
        const headers: Record<string, string> = {};
        // Headers are lower-case and repeated ones joined with ", " already.
        response.headers.forEach((value, name) => (headers[name] = value));
        return { status: response.status, headers, body: body.bytes };
      } catch (error) {
        if (signal.aborted) return { failure: 'timeout', message: 'request timed out' };
        const reason = error instanceof Error ? error.message : String(error);
        return { failure: 'network', message: `reading the response failed: ${reason}` };
      }
    },
  };
}

/** Why fetch could not send this hop as asked, or undefined. Fetch drops forbidden headers silently. */
function refusal(hop: HttpTransportRequest): string | undefined {
  if (hop.body !== undefined && BODILESS_METHODS.has(hop.method)) {
    return `a ${hop.method} request cannot carry a body through fetch`;
  }
  let probe: Request;
  try {
    probe = new Request(hop.url, { method: hop.method, headers: hop.headers });
  } catch (error) {
    // e.g. a URL with user:password, which fetch refuses to send.
    return `fetch refuses this request: ${error instanceof Error ? error.message : String(error)}`;
  }
  const sent = new Headers(hop.headers);
  for (const name of Object.keys(hop.headers)) {
    if (sent.has(name) && !probe.headers.has(name)) {
      return `header ${JSON.stringify(name)} cannot be set from a browser (the browser sets it, or forbids scripts to)`;
    }
  }
  return undefined;
}
