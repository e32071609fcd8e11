import type { WsConnectionListener } from '@plinth/host-kit';
import { describe, expect, it } from 'vitest';
import { createManualTimers, createMemoryWsServer, type MemoryWsServerOptions } from './ws.js';

/** A listener recording what the server reports, in order. */
function recorder() {
  const heard: string[] = [];
  const listener: WsConnectionListener = {
    opened: () => heard.push('opened'),
    message: (data) => heard.push(`message:${typeof data === 'string' ? data : `${data.length} bytes`}`),
    error: (message) => heard.push(`error:${message}`),
    closed: ({ code }) => heard.push(`closed:${code}`),
  };
  return { heard, listener };
}

function dial(options: MemoryWsServerOptions = {}) {
  const server = createMemoryWsServer(options);
  const { heard, listener } = recorder();
  const connection = server.connector.connect(
    { url: 'wss://sync.test/s?workspace_id=w', headers: { Authorization: 'Bearer t' }, maxMessageBytes: 4 },
    listener,
  );
  if ('failure' in connection) throw new Error('the twin refused');
  return { server, heard, connection, socket: server.latest() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createMemoryWsServer', () => {
  it('accepts after the connect call, never during it, and keeps what the plugin sent', async () => {
    const { heard, connection, socket } = dial();
    expect([heard, socket.state, socket.path, socket.headers]).toEqual([
      [],
      'connecting',
      '/s?workspace_id=w',
      { authorization: 'Bearer t' },
    ]);
    await tick();
    expect(heard).toEqual(['opened']);
    connection.send('hi');
    connection.send(new Uint8Array([1]));
    expect(socket.received).toEqual(['hi', new Uint8Array([1])]);
    socket.send('back');
    socket.send('too big');
    expect(heard).toEqual(['opened', 'message:back', 'error:Max payload size exceeded', 'closed:1009']);
    expect(connection.isOpen()).toBe(false);
  });

  it('holds or refuses handshakes as told, and tells the hooks of opens and frames', async () => {
    const seen: string[] = [];
    const held = dial({
      handshake: () => 'hold',
      onOpen: (socket) => socket.send('hey'),
      onMessage: (_socket, data) => seen.push(String(data)),
    });
    await tick();
    expect(held.socket.state).toBe('connecting');
    held.socket.accept();
    expect(held.heard).toEqual(['opened', 'message:hey']);
    held.connection.send('ping');
    await tick();
    expect(seen).toEqual(['ping']);

    const refused = dial({ handshake: () => 'refuse' });
    await tick();
    expect(refused.heard).toEqual(['error:Unexpected server response: 403', 'closed:1006']);
    expect(() => refused.socket.accept()).toThrow(/closed/);
  });

  it('reports a close by the plugin after the call, with 1000 when open and 1006 when not', async () => {
    const open = dial();
    await tick();
    open.connection.close();
    expect(open.heard).toEqual(['opened']);
    await tick();
    expect([open.heard, open.socket.closeCode]).toEqual([['opened', 'closed:1000'], 1000]);

    const pending = dial({ handshake: () => 'hold' });
    pending.connection.terminate();
    await tick();
    expect([pending.heard, pending.socket.closeCode]).toEqual([['closed:1006'], 1006]);
    pending.socket.send('after the close goes nowhere');
    expect(pending.heard).toEqual(['closed:1006']);
  });

  it('names the newest connection, and throws before the first', () => {
    expect(() => createMemoryWsServer().latest()).toThrow(/no connection/);
    expect(() => createMemoryWsServer({ handshake: 'accept' } as never)).toThrow(
      expect.objectContaining({ code: 'invalid_options' }),
    );
  });
});

describe('createManualTimers', () => {
  it('runs timers only when fired, oldest first, and forgets cleared ones', () => {
    const timers = createManualTimers();
    const ran: string[] = [];
    timers.set(() => ran.push('a'), 1_000);
    const b = timers.set(() => ran.push('b'), 1_500);
    timers.set(() => ran.push('c'), 2_250);
    timers.clear(b);
    expect(timers.pending()).toEqual([1_000, 2_250]);
    timers.fireNext();
    timers.fireNext();
    expect(ran).toEqual(['a', 'c']);
    expect(timers.delays).toEqual([1_000, 1_500, 2_250]);
    expect(() => timers.fireNext()).toThrow(/no timer/);
  });
});
