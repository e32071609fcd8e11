import { createNodeWsConnector } from '@plinth/host-node/ws';
import { describeWsContract } from '@plinth/testkit/contracts';
import { createMemoryWsServer } from '@plinth/testkit/twins';
import { openWsLoopbackServer } from './ws-loopback-server.js';

describeWsContract('in-memory server twin', () => {
  const server = createMemoryWsServer();
  return { connector: server.connector, url: 'ws://contract.test/sync', connections: () => server.sockets };
});

describeWsContract('ws on loopback', async () => ({
  ...(await openWsLoopbackServer()),
  // Loopback is refused by default; the test names it explicitly.
  connector: createNodeWsConnector({ allowPrivateHosts: ['127.0.0.1'] }),
}));
