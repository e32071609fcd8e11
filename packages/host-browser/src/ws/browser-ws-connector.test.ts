import type { WsClosed, WsConnection, WsConnectionListener, WsConnectRequest } from '@plinth/host-kit';
import { OptionsError, PlinthError } from '@plinth/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBrowserWsConnector } from './browser-ws-connector.js';
import { FakeWebSocket } from './__fixtures__/fake-web-socket.js';

// The connector's own rules over a stand-in WebSocket; the real browser's runs the WebSocket contract in
// Chromium (test/browser/host-browser-contracts.test.ts).

type Heard = ['opened'] | ['message', string | Uint8Array] | ['error', string] | ['closed', WsClosed];

function recorder() {
  const heard: Heard[] = [];
  const listener: WsConnectionListener = {
    opened: () => heard.push(['opened']),
    message: (data) => heard.push(['message', data]),
    error: (message) => heard.push(['error', message]),
    closed: (closed) => heard.push(['closed', closed]),
  };
  return { heard, listener };
}

const connector = createBrowserWsConnector({ WebSocket: FakeWebSocket as unknown as typeof WebSocket });
const request = (extra: Partial<WsConnectRequest> = {}): WsConnectRequest => ({
  url: 'wss://sync.example/sync?workspace_id=w1',
  headers: {},
  maxMessageBytes: 8,
  ...extra,
});

/** Connects, and answers the connection with the socket it made. */
function connect(extra: Partial<WsConnectRequest> = {}) {
  const { heard, listener } = recorder();
  const before = FakeWebSocket.made.length;
  const connection = connector.connect(request(extra), listener) as WsConnection;
  expect('failure' in connection).toBe(false);
  const socket = FakeWebSocket.made[before] as FakeWebSocket;
  return { connection, socket, heard };
}

const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => vi.unstubAllGlobals());

describe('createBrowserWsConnector', () => {
  it('refuses handshake headers, which a browser cannot send, before making a socket', () => {
    const { heard, listener } = recorder();
    const before = FakeWebSocket.made.length;
    expect(connector.connect(request({ headers: { authorization: 'Bearer secret' } }), listener)).toEqual({
      failure: 'network',
      message:
        'a browser cannot send WebSocket handshake headers (authorization, from auth_token); connect without them and authenticate over the connection',
    });
    expect(connector.connect(request({ headers: { 'x-a': '1', 'x-b': '2' } }), listener)).toEqual({
      failure: 'network',
      message:
        'a browser cannot send WebSocket handshake headers (x-a, x-b); connect without them and authenticate over the connection',
    });
    expect(FakeWebSocket.made).toHaveLength(before);
    expect(heard).toEqual([]);
  });

  it('answers a URL the browser refuses outright as a failure to start', () => {
    const { heard, listener } = recorder();
    expect(connector.connect(request({ url: 'ws://mail.example:25/' }), listener)).toEqual({
      failure: 'network',
      message: 'could not connect: The port 25 is not allowed.',
    });
    expect(heard).toEqual([]);
  });

  it('reports nothing during connect, then opening, text and binary frames as the network does', () => {
    const { connection, socket, heard } = connect();
    expect(heard).toEqual([]);
    expect(socket.url).toBe('wss://sync.example/sync?workspace_id=w1');
    expect(socket.binaryType).toBe('arraybuffer');
    expect(connection.isOpen()).toBe(false);
    socket.serverOpens();
    expect(connection.isOpen()).toBe(true);
    socket.serverSends('héllo');
    socket.serverSends(new Uint8Array([0, 255]));
    connection.send('out');
    connection.send(new Uint8Array([1, 2]));
    expect(socket.sent).toEqual(['out', new Uint8Array([1, 2])]);
    expect(heard).toEqual([['opened'], ['message', 'héllo'], ['message', new Uint8Array([0, 255])]]);
  });

  it('counts text in UTF-8 bytes: up to maxMessageBytes is delivered', () => {
    const { socket, heard } = connect();
    socket.serverOpens();
    socket.serverSends('éééé');
    socket.serverSends('12345678');
    expect(heard).toEqual([['opened'], ['message', 'éééé'], ['message', '12345678']]);
  });

  it('ends the connection on a frame over maxMessageBytes: 4009 to the server, 1009 to the listener, later', async () => {
    for (const frame of ['ééééé', '123456789', new Uint8Array(9)]) {
      const { connection, socket, heard } = connect();
      socket.serverOpens();
      socket.serverSends(frame);
      const size = typeof frame === 'string' ? new TextEncoder().encode(frame).length : frame.length;
      expect(heard).toEqual([
        ['opened'],
        ['error', `a frame of ${size} bytes is larger than the limit of 8 bytes`],
      ]);
      expect(socket.closes).toEqual([{ code: 4009, reason: 'message too big' }]);
      expect(connection.isOpen()).toBe(false);
      await nextTurn();
      // The browser's own close event, once the server answers, is not reported a second time.
      socket.serverCloses(4009);
      expect(heard.slice(2)).toEqual([['closed', { code: 1009, blockedAddress: false }]]);
    }
  });

  it('closes an open connection with 1000 and reports the close the browser sees', () => {
    const { connection, socket, heard } = connect();
    socket.serverOpens();
    connection.close();
    expect(socket.closes).toEqual([{ code: 1000, reason: 'disconnect' }]);
    expect(connection.isOpen()).toBe(false);
    socket.serverCloses(1000);
    expect(heard).toEqual([['opened'], ['closed', { code: 1000, blockedAddress: false }]]);
  });

  it('abandons an attempt still connecting; a failed connection reports an error, then 1006', () => {
    const { connection, socket, heard } = connect();
    connection.close();
    expect(socket.closes).toEqual([{}]);
    socket.fails();
    expect(heard).toEqual([
      ['error', 'the WebSocket connection failed (a browser gives scripts no reason)'],
      ['closed', { code: 1006, blockedAddress: false }],
    ]);
  });

  it('terminates at once: the closing handshake starts, and the listener hears 1006 once, after the call', async () => {
    const { connection, socket, heard } = connect();
    socket.serverOpens();
    connection.terminate();
    expect(heard).toEqual([['opened']]);
    expect(socket.closes).toEqual([{}]);
    expect(connection.isOpen()).toBe(false);
    connection.terminate();
    connection.close();
    socket.serverSends('late');
    await nextTurn();
    socket.serverCloses(1005);
    expect(heard).toEqual([['opened'], ['closed', { code: 1006, blockedAddress: false }]]);
    expect(socket.closes).toEqual([{}]);
  });

  it('needs a WebSocket: the global one, or one passed', () => {
    vi.stubGlobal('WebSocket', undefined);
    let thrown: unknown;
    try {
      createBrowserWsConnector();
    } catch (error) {
      thrown = error;
    }
    expect(PlinthError.isInstance(thrown) && thrown.code).toBe('invalid_options');
    expect((thrown as Error).message).toBe(
      'createBrowserWsConnector: option `WebSocket` is required here: this runtime has no global WebSocket',
    );
    vi.stubGlobal('WebSocket', FakeWebSocket);
    const { listener } = recorder();
    const before = FakeWebSocket.made.length;
    expect('failure' in createBrowserWsConnector().connect(request(), listener)).toBe(false);
    expect(FakeWebSocket.made).toHaveLength(before + 1);
  });

  it('checks its options', () => {
    const refused = (options: unknown) => {
      try {
        createBrowserWsConnector(options as never);
      } catch (error) {
        if (OptionsError.isInstance(error)) return error.message;
        throw error;
      }
      throw new Error('not refused');
    };
    expect(refused({ WebSocket: 'ws' })).toBe(
      'createBrowserWsConnector: option `WebSocket` must be a WebSocket constructor (got "ws")',
    );
    expect(refused({ headers: {} })).toMatch(/^createBrowserWsConnector: option `headers` is unknown/);
  });
});
