import type { AddressInfo } from 'node:net';
import type { WsContractPeer, WsContractSubject } from '@plinth/testkit/contracts';
import { WebSocketServer } from 'ws';

// The WebSocket contract's server for real connectors: the `ws` package on loopback, each accepted
// connection as a contract peer. Used by the Node connector's run and by the browser's (in Chromium).

/** A `ws` server on 127.0.0.1 at `/sync`: the subject's fields but the connector. */
export async function openWsLoopbackServer(): Promise<Omit<WsContractSubject, 'connector'>> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const peers: WsContractPeer[] = [];
  server.on('connection', (socket, request) => {
    const received: (string | Uint8Array)[] = [];
    let closeCode: number | undefined;
    socket.on('message', (data: Buffer, binary: boolean) =>
      received.push(binary ? new Uint8Array(data) : data.toString('utf8')),
    );
    socket.on('close', (code: number) => (closeCode = code));
    peers.push({
      path: request.url ?? '',
      headers: { authorization: request.headers.authorization, origin: request.headers.origin },
      received,
      get closeCode() {
        return closeCode;
      },
      send: (data) => socket.send(data, { binary: typeof data !== 'string' }),
      drop: () => socket.terminate(),
    });
  });
  return {
    url: `ws://127.0.0.1:${port}/sync`,
    connections: () => peers,
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
