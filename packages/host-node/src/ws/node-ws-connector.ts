import { isIP } from 'node:net';
import type { WsConnector } from '@plinth/host-kit';
import { checkOptions } from '@plinth/protocol';
import { WebSocket } from 'ws';
import { createAddressPolicy, stripBrackets, type AddressPolicyOptions } from '../http/address-policy.js';
import { createGuardedLookup, findBlockedAddressError, type ResolveHost } from '../http/guarded-lookup.js';
import { nodeWsConnectorOptionsSchema } from './ws-options.js';

/** What `createNodeWsConnector` may be told: the non-public hosts to allow, and the DNS to use. */
export interface NodeWsConnectorOptions extends AddressPolicyOptions {
  /** DNS for the guarded lookup (default: the system resolver). */
  resolve?: ResolveHost | undefined;
}

/** How long the opening handshake may take before the attempt fails (then the bundle reconnects). */
const HANDSHAKE_TIMEOUT_MS = 30_000;

/**
 * A `WsConnector` on the `ws` package, with the same destination rules as HTTP: an IP literal is refused
 * before dialing, a name at connect time through a guarded DNS lookup (reported as a blocked address, so
 * the bundle does not retry it); no redirects are followed.
 */
export function createNodeWsConnector(options: NodeWsConnectorOptions = {}): WsConnector {
  checkOptions('createNodeWsConnector', nodeWsConnectorOptionsSchema, options);
  const policy = createAddressPolicy({ allowPrivateHosts: options.allowPrivateHosts });
  const lookup = createGuardedLookup(policy, options.resolve);
  return {
    connect(request, listener) {
      const hostname = stripBrackets(new URL(request.url).hostname);
      const refusal = isIP(hostname) === 0 ? null : policy.check(hostname, hostname);
      if (refusal !== null) return { failure: 'blocked_address', message: refusal };
      let socket: WebSocket;
      try {
        socket = new WebSocket(request.url, {
          lookup: lookup as never,
          headers: { ...request.headers },
          maxPayload: request.maxMessageBytes,
          handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
          followRedirects: false,
        });
      } catch (error) {
        return {
          failure: 'network',
          message: `could not connect: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
      let blocked = false;
      socket.on('open', () => listener.opened());
      socket.on('message', (data: Buffer, isBinary: boolean) =>
        listener.message(isBinary ? new Uint8Array(data) : data.toString('utf8')),
      );
      socket.on('error', (error: Error) => {
        blocked ||= findBlockedAddressError(error) !== undefined;
        listener.error(error.message);
      });
      socket.on('close', (code: number) => listener.closed({ code, blockedAddress: blocked }));
      return {
        isOpen: () => socket.readyState === WebSocket.OPEN,
        send: (data) => socket.send(data, { binary: typeof data !== 'string' }),
        close() {
          if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'disconnect');
          else socket.terminate();
        },
        terminate: () => socket.terminate(),
      };
    },
  };
}
