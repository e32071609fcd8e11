import type {
  ReconnectTimers,
  WsConnection,
  WsConnectionListener,
  WsConnector,
  WsConnectRequest,
} from '@plinth/host-kit';
import { checkOptions } from '@plinth/protocol';
import { memoryWsServerOptionsSchema } from '../testkit-options.js';

/** One connection to the in-memory WebSocket server, as a test drives it. */
export interface MemoryWsSocket {
  /** The URL the plugin dialed (with `workspace_id` and `session_code` in the query). */
  readonly url: string;
  /** Its path and query, e.g. `/sync?workspace_id=w1`. */
  readonly path: string;
  /** The handshake headers, lower-case names (`authorization` when the plugin gave a token). */
  readonly headers: Readonly<Record<string, string>>;
  /** `connecting` until the handshake is answered, then `open`, then `closed`. */
  readonly state: 'connecting' | 'open' | 'closed';
  /** Frames the plugin sent, in order: text as strings, binary as bytes. */
  readonly received: readonly (string | Uint8Array)[];
  /** Once closed: the code (1000 for a clean close by either side, 1006 for a drop or a refused handshake). */
  readonly closeCode: number | undefined;
  /** Completes a held handshake (see `MemoryWsServerOptions.handshake`). */
  accept(): void;
  /** Fails a held handshake, as a server answering the upgrade with an error status would. */
  refuse(): void;
  /** Sends the plugin a frame: a string as text, bytes as binary. Throws while connecting; dropped once closed. */
  send(data: string | Uint8Array): void;
  /** Closes with a closing handshake (default code 1000). */
  close(code?: number): void;
  /** Drops the connection without a closing handshake (the plugin sees code 1006). */
  drop(): void;
}

/** How the in-memory server treats connections. */
export interface MemoryWsServerOptions {
  /**
   * How each handshake is answered: `accept` (the default), `refuse`, or `hold` for the test to answer
   * with `accept()` or `refuse()`.
   */
  handshake?: ((socket: MemoryWsSocket) => 'accept' | 'refuse' | 'hold') | undefined;
  /** Told each connection once it is open (e.g. to greet the plugin). */
  onOpen?: ((socket: MemoryWsSocket) => void) | undefined;
  /** Told each frame the plugin sends (e.g. to answer it). */
  onMessage?: ((socket: MemoryWsSocket, data: string | Uint8Array) => void) | undefined;
}

/** The in-memory twin of a WebSocket server, and the connector that reaches it. */
export interface MemoryWsServer {
  /** The connector to give `createWsBundle`: every URL reaches this server. */
  readonly connector: WsConnector;
  /** Every connection attempt, oldest first. */
  readonly sockets: readonly MemoryWsSocket[];
  /** The newest connection; throws when there is none. */
  latest(): MemoryWsSocket;
}

/** Close codes as RFC 6455 gives them. */
const NORMAL = 1000;
const ABNORMAL = 1006;
const TOO_BIG = 1009;

/**
 * The in-memory twin of a WebSocket server: every connection the bundle starts lands here, and the test
 * answers handshakes, sends frames, reads what the plugin sent, and closes or drops connections. Like a
 * network it reports to the bundle asynchronously (a microtask after `connect`, `close` or a plugin's
 * frame); what the test does (`send`, `close`, `drop`) reaches the bundle at once. A frame larger than the
 * bundle's `maxMessageBytes` closes the connection with 1009, as the `ws` client does.
 */
export function createMemoryWsServer(options: MemoryWsServerOptions = {}): MemoryWsServer {
  checkOptions('createMemoryWsServer', memoryWsServerOptionsSchema, options);
  const sockets: MemoryWsSocket[] = [];
  const connector: WsConnector = {
    connect(request, listener) {
      const { socket, connection } = createSocket(request, listener, options);
      sockets.push(socket);
      queueMicrotask(() => {
        if (socket.state !== 'connecting') return;
        const answer = options.handshake?.(socket) ?? 'accept';
        if (answer === 'accept') socket.accept();
        else if (answer === 'refuse') socket.refuse();
      });
      return connection;
    },
  };
  return {
    connector,
    sockets,
    latest() {
      const socket = sockets.at(-1);
      if (socket === undefined) throw new Error('no connection has been made to the in-memory server');
      return socket;
    },
  };
}

function createSocket(
  request: WsConnectRequest,
  listener: WsConnectionListener,
  options: MemoryWsServerOptions,
): { socket: MemoryWsSocket; connection: WsConnection } {
  const url = new URL(request.url);
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const received: (string | Uint8Array)[] = [];
  let state: MemoryWsSocket['state'] = 'connecting';
  let closeCode: number | undefined;
  /** Ends the connection; the bundle hears of it now (`soon` false) or on a microtask. */
  const end = (code: number, soon: boolean) => {
    if (state === 'closed') return;
    state = 'closed';
    closeCode = code;
    const report = () => listener.closed({ code, blockedAddress: false });
    if (soon) queueMicrotask(report);
    else report();
  };
  const socket: MemoryWsSocket = {
    url: url.href,
    path: `${url.pathname}${url.search}`,
    headers,
    get state() {
      return state;
    },
    received,
    get closeCode() {
      return closeCode;
    },
    accept() {
      if (state !== 'connecting') throw new Error(`cannot accept a connection that is ${state}`);
      state = 'open';
      listener.opened();
      options.onOpen?.(socket);
    },
    refuse() {
      if (state !== 'connecting') throw new Error(`cannot refuse a connection that is ${state}`);
      listener.error('Unexpected server response: 403');
      end(ABNORMAL, false);
    },
    send(data) {
      if (state === 'connecting') throw new Error('cannot send before the handshake is answered');
      // As a real server's send after the close: the frame goes nowhere.
      if (state === 'closed') return;
      const size = typeof data === 'string' ? new TextEncoder().encode(data).length : data.length;
      if (size > request.maxMessageBytes) {
        listener.error('Max payload size exceeded');
        end(TOO_BIG, false);
        return;
      }
      listener.message(typeof data === 'string' ? data : data.slice());
    },
    close(code = NORMAL) {
      end(code, false);
    },
    drop() {
      end(ABNORMAL, false);
    },
  };
  const connection: WsConnection = {
    isOpen: () => state === 'open',
    send(data) {
      if (state !== 'open') throw new Error('the connection is not open');
      const frame = typeof data === 'string' ? data : data.slice();
      received.push(frame);
      if (options.onMessage) queueMicrotask(() => options.onMessage?.(socket, frame));
    },
    close: () => end(state === 'open' ? NORMAL : ABNORMAL, true),
    terminate: () => end(ABNORMAL, true),
  };
  return { socket, connection };
}

/** Reconnect timers a test fires itself, so reconnects happen when the test says. */
export interface ManualTimers extends ReconnectTimers {
  /** Every delay set so far, in order (cleared and fired ones included). */
  readonly delays: readonly number[];
  /** Delays of the timers set and neither fired nor cleared, oldest first. */
  pending(): number[];
  /** Runs the oldest pending timer; throws when none is pending. */
  fireNext(): void;
}

/** Timers for `createWsBundle` that record each delay and run only when the test fires them. */
export function createManualTimers(): ManualTimers {
  const timers: { callback: () => void; delayMs: number; live: boolean }[] = [];
  const delays: number[] = [];
  const live = () => timers.filter((timer) => timer.live);
  return {
    delays,
    set(callback, delayMs) {
      const timer = { callback, delayMs, live: true };
      timers.push(timer);
      delays.push(delayMs);
      return timer;
    },
    clear(handle) {
      const timer = timers.find((candidate) => candidate === handle);
      if (timer) timer.live = false;
    },
    pending: () => live().map((timer) => timer.delayMs),
    fireNext() {
      const timer = live()[0];
      if (timer === undefined) throw new Error('no timer is pending');
      timer.live = false;
      timer.callback();
    },
  };
}
