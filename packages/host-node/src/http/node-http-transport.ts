import { isIP, type Socket } from 'node:net';
import { checkOptions } from '@plinth/protocol';
import type { HttpTransport, HttpTransportFailure, HttpTransportResponse } from '@plinth/host-kit';
import { Agent, buildConnector, request } from 'undici';
import { createAddressPolicy, stripBrackets, type AddressPolicyOptions } from './address-policy.js';
import { nodeHttpTransportOptionsSchema } from './http-options.js';
import {
  BlockedAddressError,
  createGuardedLookup,
  findBlockedAddressError,
  type ResolveHost,
} from './guarded-lookup.js';

/** What `createNodeHttpTransport` may be told: the non-public hosts to allow, and the DNS to use. */
export interface NodeHttpTransportOptions extends AddressPolicyOptions {
  /** DNS for the guarded lookup (default: the system resolver). */
  resolve?: ResolveHost | undefined;
}

export interface NodeHttpTransport extends HttpTransport {
  /** Closes pooled connections; later sends fail. */
  close(): Promise<void>;
}

/**
 * An `HttpTransport` on undici: one hop per send (redirects are the bundle's job), response size
 * enforced while streaming, and destinations refused by address — an IP literal before connecting, a
 * name at connect time through a guarded DNS lookup, and the connected socket's peer address once more.
 */
export function createNodeHttpTransport(options: NodeHttpTransportOptions = {}): NodeHttpTransport {
  checkOptions('createNodeHttpTransport', nodeHttpTransportOptionsSchema, options);
  const policy = createAddressPolicy({ allowPrivateHosts: options.allowPrivateHosts });
  const lookup = createGuardedLookup(policy, options.resolve);
  const connect = buildConnector({ lookup } as buildConnector.BuildOptions);
  const agent = new Agent({
    connect: (connectOptions, callback) => {
      connect(connectOptions, (error, socket) => {
        if (error !== null) return callback(error, null);
        const refusal = peerRefusal(socket, connectOptions.hostname);
        if (refusal === null) return callback(null, socket);
        socket.destroy();
        return callback(new BlockedAddressError(refusal), null);
      });
    },
  });
  const peerRefusal = (socket: Socket, hostname: string): string | null => {
    const address = socket.remoteAddress;
    return address === undefined ? null : policy.check(hostname, address);
  };

  return {
    async send(hop): Promise<HttpTransportResponse | HttpTransportFailure> {
      const hostname = stripBrackets(new URL(hop.url).hostname);
      if (isIP(hostname) !== 0) {
        const refusal = policy.check(hostname, hostname);
        if (refusal !== null) return { failure: 'blocked_address', message: refusal };
      }
      const signal = AbortSignal.timeout(hop.timeoutMs);
      try {
        const response = await request(hop.url, {
          dispatcher: agent,
          method: hop.method as 'GET',
          headers: hop.headers,
          body: hop.body ?? null,
          signal,
          headersTimeout: hop.timeoutMs,
          bodyTimeout: hop.timeoutMs,
          maxRedirections: 0,
        });
        const declared = Number(response.headers['content-length'] ?? '0');
        if (declared > hop.maxResponseBytes) {
          discard(response.body);
          return tooLarge(hop.maxResponseBytes);
        }
        const chunks: Uint8Array[] = [];
        let total = 0;
        for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
          total += chunk.length;
          // Stop reading at the cap: a hostile server may stream forever.
          if (total > hop.maxResponseBytes) {
            discard(response.body);
            return tooLarge(hop.maxResponseBytes);
          }
          chunks.push(chunk);
        }
        return {
          status: response.statusCode,
          headers: flattenHeaders(response.headers),
          body: concat(chunks, total),
        };
      } catch (error) {
        return describeError(error, signal.aborted);
      }
    },
    close: () => agent.close(),
  };
}

/** Drops a body we will not read; its abort error has nobody to tell. */
function discard(body: { on(event: 'error', listener: () => void): unknown; destroy(): unknown }): void {
  body.on('error', () => {});
  body.destroy();
}

const tooLarge = (max: number): HttpTransportFailure => ({
  failure: 'too_large',
  message: `response body exceeds ${max} bytes`,
});

function describeError(error: unknown, timedOut: boolean): HttpTransportFailure {
  const blocked = findBlockedAddressError(error);
  if (blocked) return { failure: 'blocked_address', message: blocked.message };
  const code = (error as { code?: unknown } | null)?.code;
  if (timedOut || (typeof code === 'string' && /^UND_ERR_(HEADERS|BODY|CONNECT)_TIMEOUT$/.test(code))) {
    return { failure: 'timeout', message: 'request timed out' };
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const errno = typeof code === 'string' ? code : typeof cause?.code === 'string' ? cause.code : undefined;
  const words: Record<string, string> = {
    ENOTFOUND: 'could not resolve the host',
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset by the server',
    UND_ERR_SOCKET: 'the connection closed unexpectedly',
  };
  const text =
    errno !== undefined && words[errno] !== undefined
      ? words[errno]
      : error instanceof Error
        ? error.message
        : String(error);
  return { failure: 'network', message: `request failed: ${text}` };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}
