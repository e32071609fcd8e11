import type { AddressInfo } from 'node:net';
import { createNodeWsConnector } from '@plinth/host-node/ws';
import { describeWsContract, type WsContractPeer } from '@plinth/testkit/contracts';
import { createMemoryWsServer } from '@plinth/testkit/twins';
import { WebSocketServer } from 'ws';

describeWsContract('in-memory server twin', () => {
  const server = createMemoryWsServer();
  return { connector: server.connector, url: 'ws://contract.test/sync', connections: () => server.sockets };
});

describeWsContract('ws on loopback', async () => {
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
      headers: { authorization: request.headers.authorization },
      received,
      get closeCode() {
        return closeCode;
      },
      send: (data) => socket.send(data, { binary: typeof data !== 'string' }),
      drop: () => socket.terminate(),
    });
  });
  return {
    // Loopback is refused by default; the test names it explicitly.
    connector: createNodeWsConnector({ allowPrivateHosts: ['127.0.0.1'] }),
    url: `ws://127.0.0.1:${port}/sync`,
    connections: () => peers,
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
});
