import type { WsConnectFailure, WsConnection, WsConnectionListener, WsConnector } from '@plinth/host-kit';
import { checkOptions, OptionsError } from '@plinth/protocol';
import { browserWsConnectorOptionsSchema } from '../options.js';

/** What `createBrowserWsConnector` is told. */
export interface BrowserWsConnectorOptions {
  /** The WebSocket constructor to dial with. Default `globalThis.WebSocket`. */
  WebSocket?: typeof WebSocket | undefined;
}

/** What the listener hears for a connection ended over an oversized frame, as the `ws` client reports it. */
export const WS_CLOSE_TOO_BIG = 1009;
/**
 * The close code the server sees for an oversized frame: a script may close only with 1000 or 3000–4999,
 * so 1009 itself cannot be sent; 4009 is in the application range and echoes it.
 */
export const WS_BROWSER_CLOSE_TOO_BIG = 4009;
/** What the listener hears for a connection the host dropped (`terminate`), as for any dropped connection. */
const DROPPED = 1006;

const encoder = new TextEncoder();

/**
 * A `WsConnector` over the browser's `WebSocket` (`binaryType` `'arraybuffer'`). What a browser cannot do is
 * answered, never skipped: a request with handshake headers (`authorization`, from the guest's token) is
 * refused, since scripts cannot set them; a frame over `maxMessageBytes` (checked once the browser has
 * received it whole) ends the connection with close code 4009 and is reported as 1009; `terminate` cannot
 * skip the closing handshake, so it starts one and reports the connection closed at once. There is no
 * private-address guard: the browser's own rules for local networks apply.
 */
export function createBrowserWsConnector(options: BrowserWsConnectorOptions = {}): WsConnector {
  checkOptions('createBrowserWsConnector', browserWsConnectorOptionsSchema, options);
  const Socket = options.WebSocket ?? (globalThis.WebSocket as typeof WebSocket | undefined);
  if (Socket === undefined) {
    throw new OptionsError('createBrowserWsConnector', [
      { path: 'WebSocket', message: 'is required here: this runtime has no global WebSocket' },
    ]);
  }
  return {
    connect(request, listener) {
      const headers = Object.keys(request.headers);
      if (headers.length > 0) return headersRefused(headers);
      let socket: WebSocket;
      try {
        socket = new Socket(request.url);
      } catch (error) {
        // A URL the browser refuses outright: a blocked port, or ws: from an https: page.
        const reason = error instanceof Error ? error.message : String(error);
        return { failure: 'network', message: `could not connect: ${reason}` };
      }
      socket.binaryType = 'arraybuffer';
      return watch(socket, request.maxMessageBytes, listener);
    },
  };
}

function headersRefused(names: readonly string[]): WsConnectFailure {
  const token = names.some((name) => name.toLowerCase() === 'authorization') ? ', from auth_token' : '';
  return {
    failure: 'network',
    message: `a browser cannot send WebSocket handshake headers (${names.join(', ')}${token}); connect without them and authenticate over the connection`,
  };
}

// The readyState values, fixed by the WebSocket standard.
const CONNECTING = 0;
const OPEN = 1;

/** Reports the socket's progress to the listener, and ends it on an oversized frame. */
function watch(socket: WebSocket, maxMessageBytes: number, listener: WsConnectionListener): WsConnection {
  let ended = false;
  /**
   * Ends the connection on the host's side at once, reporting `code`; the closing handshake goes on in the
   * browser, unreported. `sent` is the close code and reason the server gets (none: the browser's 1005).
   */
  const abandon = (code: number, sent?: { code: number; reason: string }) => {
    if (ended) return;
    ended = true;
    socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
    if (socket.readyState === CONNECTING || socket.readyState === OPEN) {
      if (sent === undefined) socket.close();
      else socket.close(sent.code, sent.reason);
    }
    // Later, as a network reports: the caller may be the bundle, inside one of this listener's calls.
    queueMicrotask(() => listener.closed({ code, blockedAddress: false }));
  };
  socket.onopen = () => listener.opened();
  socket.onmessage = (event: MessageEvent<string | ArrayBuffer>) => {
    const frame = typeof event.data === 'string' ? event.data : new Uint8Array(event.data);
    const size = sizeOver(frame, maxMessageBytes);
    if (size !== undefined) {
      listener.error(`a frame of ${size} bytes is larger than the limit of ${maxMessageBytes} bytes`);
      abandon(WS_CLOSE_TOO_BIG, { code: WS_BROWSER_CLOSE_TOO_BIG, reason: 'message too big' });
      return;
    }
    listener.message(frame);
  };
  socket.onerror = () =>
    listener.error('the WebSocket connection failed (a browser gives scripts no reason)');
  socket.onclose = (event: CloseEvent) => {
    ended = true;
    listener.closed({ code: event.code, blockedAddress: false });
  };
  return {
    isOpen: () => !ended && socket.readyState === OPEN,
    send: (data) => socket.send(data),
    close() {
      if (ended) return;
      // While connecting, close() abandons the attempt; the browser then reports 1006.
      if (socket.readyState === OPEN) socket.close(1000, 'disconnect');
      else socket.close();
    },
    terminate: () => abandon(DROPPED),
  };
}

/** A frame's size in bytes (text as UTF-8) when it is over the limit; undefined when it is not. */
function sizeOver(frame: string | Uint8Array, limit: number): number | undefined {
  if (typeof frame !== 'string') return frame.byteLength > limit ? frame.byteLength : undefined;
  // A UTF-16 code unit is 1 to 3 UTF-8 bytes: only text whose length leaves it in doubt is encoded.
  if (frame.length * 3 <= limit) return undefined;
  const size = encoder.encode(frame).length;
  return size > limit ? size : undefined;
}
