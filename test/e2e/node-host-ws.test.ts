import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeHost, type NodeHost, type NodeHostLogEntry } from '@plinth/host-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { compile, wsGuest } from './__fixtures__/ws-guest.js';

async function waitFor(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ECHO = 'acme.ws-echo';
const UNGRANTED = 'acme.ws-ungranted';
const TRAP = 'acme.ws-trap';

let server: WebSocketServer;
let serverUrl: string;
const sockets: WebSocket[] = [];
const upgrades: { url: string; authorization: string | undefined }[] = [];
const received: string[] = [];
const closes: number[] = [];

beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  serverUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/sync`;
  server.on('connection', (socket, request) => {
    sockets.push(socket);
    upgrades.push({ url: request.url ?? '', authorization: request.headers.authorization });
    socket.on('message', (data: Buffer) => received.push(data.toString()));
    socket.on('close', (code) => closes.push(code));
  });
});
afterAll(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe.each(['isolated', 'in-thread'] as const)(
  'host_ws_request through createNodeHost (%s lane; tests run in order)',
  { timeout: 60_000 },
  (lane) => {
    let base: string;
    let host: NodeHost;
    const logs: NodeHostLogEntry[] = [];
    const guestLines = (pluginId: string) =>
      logs.filter((entry) => entry.source === 'guest' && entry.pluginId === pluginId).map((e) => e.message);

    beforeAll(async () => {
      sockets.length = 0;
      upgrades.length = 0;
      received.length = 0;
      closes.length = 0;
      base = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-e2e-node-host-ws-')));
      const workspace = join(base, 'workspace');
      const pluginsRoot = join(base, 'plugins');
      mkdirSync(workspace, { recursive: true });
      writeFileSync(
        join(base, 'policy.yaml'),
        [
          'plugins:',
          ...[ECHO, TRAP].map(
            (id) => `  ${id}: { permissions: { http_requests: { include: ["127.0.0.1"] } } }`,
          ),
        ].join('\n'),
      );
      for (const id of [ECHO, UNGRANTED, TRAP]) {
        mkdirSync(join(pluginsRoot, id), { recursive: true });
        const source = wsGuest(id, serverUrl, { trapOnText: id === TRAP });
        writeFileSync(join(pluginsRoot, id, 'plugin.wasm'), await compile(source));
      }
      host = await createNodeHost({
        workspaceRoot: workspace,
        pluginsRoot,
        policy: { file: join(base, 'policy.yaml') },
        hostAppVersion: '1.0.0',
        lane,
        watch: false,
        allowPrivateHosts: ['127.0.0.1'],
        limits: { timeoutMs: 10_000 },
        onLog: (entry) => logs.push(entry),
      });
      const { loaded, problems } = await host.start();
      expect(problems).toEqual([]);
      expect(loaded.map((plugin) => plugin.id)).toEqual([ECHO, TRAP, UNGRANTED]);
    });
    afterAll(async () => {
      await host.close();
      rmSync(base, { recursive: true, force: true });
    });

    it('connects a granted plugin; on_connected gets the workspace', async () => {
      expect(await host.command(ECHO, 'connect')).toEqual({ success: true, data: { ok: true } });
      await waitFor(() => guestLines(ECHO).length > 0, 'on_connected');
      expect(upgrades).toEqual([{ url: '/sync?workspace_id=ws-1', authorization: 'Bearer secret-token' }]);
      expect(guestLines(ECHO)).toEqual(['on_connected:{"workspace_id":"ws-1","write_to_disk":true}']);
    });

    it('delivers text and binary frames to the exports in order, and the guest answers', async () => {
      const [socket] = sockets;
      if (!socket) throw new Error('no server-side socket');
      socket.send('one');
      socket.send(Buffer.from('two'), { binary: true });
      socket.send('three "quoted"\n');
      await waitFor(() => received.length === 2, 'the echoes');
      expect(guestLines(ECHO).slice(1)).toEqual([
        'handle_text_message:one',
        'handle_binary_message:two',
        // host_log escapes control characters (log injection); the echo below carries the real newline.
        'handle_text_message:three "quoted"\\n',
      ]);
      expect(received).toEqual(['echo:one', 'echo:three "quoted"\n']);
    });

    it('refuses a plugin without http_requests for the server before dialing', async () => {
      expect(await host.command(UNGRANTED, 'connect')).toEqual({
        success: true,
        data: {
          ok: false,
          error: `host_ws_request: Permission not configured for plugin '${UNGRANTED}': http_requests on '${serverUrl}'. Add plugins.${UNGRANTED}.permissions.http_requests to the policy.`,
        },
      });
      expect(upgrades).toHaveLength(1);
      expect(guestLines(UNGRANTED)).toEqual([]);
    });

    it('stops the connection when the plugin is unloaded, without reconnecting', async () => {
      await host.uninstall(ECHO);
      await waitFor(() => closes.length === 1, 'the server to see the close');
      expect(closes).toEqual([1000]);
      expect(logs).toContainEqual(
        expect.objectContaining({
          source: 'host',
          pluginId: ECHO,
          message: `WebSocket to ${serverUrl}?workspace_id=ws-1 stopped`,
        }),
      );
      expect(logs.filter((entry) => entry.message.includes('reconnecting'))).toEqual([]);
      // on_disconnected had nobody to go to: the plugin was gone; no delivery failure is logged for it.
      expect(logs.filter((entry) => entry.level === 'error')).toEqual([]);
      expect(upgrades).toHaveLength(1);
    });

    it('logs failed deliveries, and a plugin quarantined by them loses its connection', async () => {
      expect(await host.command(TRAP, 'connect')).toEqual({ success: true, data: { ok: true } });
      await waitFor(() => guestLines(TRAP).length === 1, 'on_connected of the trapping plugin');
      const socket = sockets[1];
      if (!socket) throw new Error('no server-side socket for the trapping plugin');
      // The default failure policy quarantines after 5 consecutive faults.
      for (let i = 0; i < 5; i++) socket.send(`frame ${i}`);
      const failures = () =>
        logs.filter((entry) => entry.pluginId === TRAP && entry.message.startsWith('delivering a WebSocket'));
      await waitFor(
        () => closes.length === 2 && failures().length >= 5,
        'the quarantined plugin to be cut off',
      );
      expect(closes).toEqual([1000, 1000]);
      expect(host.plugin(TRAP)?.state).toBe('quarantined');
      expect(failures()).toEqual(
        Array.from({ length: 5 }, () =>
          expect.objectContaining({
            source: 'host',
            message: `delivering a WebSocket handle_text_message call to ${TRAP} failed: plugin ${TRAP}@1.0.0 (handle_text_message) trapped: unreachable`,
            detail: { export: 'handle_text_message', code: 'trap' },
          }),
        ),
      );
    });
  },
);
