import type { AddressInfo } from 'node:net';
import { createAllowAllChecker, createPolicyChecker, type PermissionChecker } from '@plinth/permissions';
import { getHostFunction } from '@plinth/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import {
  createWsBridge,
  reconnectDelayMs,
  type ReconnectTimers,
  type WsBridge,
  type WsBridgeOptions,
} from './index.js';

const spec = getHostFunction('host_ws_request');
let server: WebSocketServer;
let port: number;
const sockets: ServerSocket[] = [];
const received: { data: string; binary: boolean }[] = [];
const upgrades: { url: string; authorization: string | undefined }[] = [];

beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
  server.on('connection', (socket, request) => {
    sockets.push(socket);
    upgrades.push({ url: request.url ?? '', authorization: request.headers.authorization });
    socket.on('message', (data: Buffer, binary) =>
      received.push({ data: binary ? data.toString('hex') : data.toString(), binary }),
    );
  });
});
afterAll(async () => {
  for (const client of server.clients) client.terminate();
  await new Promise((resolve) => server.close(resolve));
});

/** Timers that record each delay and run only when the test fires them. */
function manualTimers() {
  const pending: { callback: () => void; delayMs: number; done: boolean }[] = [];
  const timers: ReconnectTimers = {
    set(callback, delayMs) {
      const timer = { callback, delayMs, done: false };
      pending.push(timer);
      return timer;
    },
    clear(handle) {
      if (handle) (handle as { done: boolean }).done = true;
    },
  };
  const live = () => pending.filter((timer) => !timer.done);
  const fire = () => {
    const timer = live()[0];
    if (!timer) throw new Error('no reconnect is pending');
    timer.done = true;
    timer.callback();
  };
  return { timers, pending, live, fire };
}

type Delivery = [pluginId: string, exportName: string, input: string];
let bridges: WsBridge[] = [];
afterEach(() => {
  for (const bridge of bridges) bridge.close();
  bridges = [];
});

function setup(options: Partial<WsBridgeOptions> = {}) {
  const deliveries: Delivery[] = [];
  const running = new Map<string, number>();
  let overlapped = false;
  const clock = manualTimers();
  const bridge = createWsBridge({
    permissions: createAllowAllChecker(),
    allowPrivateHosts: ['127.0.0.1'],
    timers: clock.timers,
    deliver: async (pluginId, exportName, input) => {
      running.set(pluginId, (running.get(pluginId) ?? 0) + 1);
      overlapped ||= (running.get(pluginId) ?? 0) > 1;
      // Yield so overlapping deliveries would interleave if the queue did not serialize them.
      await new Promise((resolve) => setImmediate(resolve));
      deliveries.push([
        pluginId,
        exportName,
        typeof input === 'string' ? input : `hex:${Buffer.from(input).toString('hex')}`,
      ]);
      running.set(pluginId, (running.get(pluginId) ?? 1) - 1);
    },
    ...options,
  });
  bridges.push(bridge);
  const call = async (input: unknown, pluginId = 'acme.sync') => {
    const decoded = spec.decodeRequest(JSON.stringify(input));
    if (!decoded.ok) return spec.failureOutput(decoded.error.message);
    const answer = await bridge.bundle.host_ws_request?.(decoded.value, {
      pluginId,
      exportName: 'handle_command',
    });
    return typeof answer === 'string' ? answer : spec.failureOutput((answer as { failure: string }).failure);
  };
  return { bridge, call, deliveries, clock, overlapped: () => overlapped };
}

const OK = '{"ok":true}';
const url = () => `ws://127.0.0.1:${port}/sync`;
const connect = (extra: object = {}) => ({
  type: 'connect',
  server_url: url(),
  workspace_id: 'w1',
  ...extra,
});
const waitFor = (check: () => unknown) => expect.poll(check, { timeout: 5_000 });

describe('createWsBridge', () => {
  it('connects with workspace, session and token, and sends text and binary frames', async () => {
    const { bridge, call, deliveries } = setup();
    expect(await call(connect({ auth_token: 'secret', session_code: 'S1' }))).toBe(OK);
    await waitFor(() => bridge.state('acme.sync')).toBe('open');
    expect(upgrades.at(-1)).toEqual({
      url: '/sync?workspace_id=w1&session_code=S1',
      authorization: 'Bearer secret',
    });
    await waitFor(() => deliveries).toEqual([
      ['acme.sync', 'on_connected', '{"workspace_id":"w1","write_to_disk":true}'],
    ]);

    received.length = 0;
    expect(await call({ type: 'send_text', text: 'héllo' })).toBe(OK);
    expect(await call({ type: 'send_binary', data: 'AP8=' })).toBe(OK);
    await waitFor(() => received).toEqual([
      { data: 'héllo', binary: false },
      { data: '00ff', binary: true },
    ]);
  });

  it('delivers server frames to the right exports of the right plugin, in order, one at a time', async () => {
    const { bridge, call, deliveries, overlapped } = setup();
    expect(await call(connect(), 'a.sync')).toBe(OK);
    await waitFor(() => bridge.state('a.sync')).toBe('open');
    const socket = sockets.at(-1) as ServerSocket;
    socket.send('one');
    socket.send(Buffer.from([1, 2, 3]));
    socket.send('two');
    expect(await call(connect({ workspace_id: 'w2', write_to_disk: false }), 'b.sync')).toBe(OK);
    await waitFor(() => deliveries.filter(([plugin]) => plugin === 'a.sync')).toEqual([
      ['a.sync', 'on_connected', '{"workspace_id":"w1","write_to_disk":true}'],
      ['a.sync', 'handle_text_message', 'one'],
      ['a.sync', 'handle_binary_message', 'hex:010203'],
      ['a.sync', 'handle_text_message', 'two'],
    ]);
    await waitFor(() => deliveries.filter(([plugin]) => plugin === 'b.sync')).toEqual([
      ['b.sync', 'on_connected', '{"workspace_id":"w2","write_to_disk":false}'],
    ]);
    expect(overlapped()).toBe(false);
  });

  it('reconnects after a drop with 1 s × 1.5ⁿ backoff capped at 30 s, and disconnect stops it', async () => {
    const { bridge, call, deliveries, clock } = setup();
    expect(await call(connect())).toBe(OK);
    await waitFor(() => bridge.state('acme.sync')).toBe('open');
    const connectionsBefore = upgrades.length;
    (sockets.at(-1) as ServerSocket).terminate();
    await waitFor(() => clock.live().map((timer) => timer.delayMs)).toEqual([1_000]);
    expect(deliveries.map(([, name]) => name)).toEqual(['on_connected', 'on_disconnected']);

    clock.fire();
    await waitFor(() => bridge.state('acme.sync')).toBe('open');
    expect(upgrades.length).toBe(connectionsBefore + 1);
    await waitFor(() => deliveries.map(([, name]) => name)).toEqual([
      'on_connected',
      'on_disconnected',
      'on_connected',
    ]);

    // With nothing listening, every attempt fails and the delay grows to the cap.
    bridge.disconnect('acme.sync');
    expect(bridge.state('acme.sync')).toBe('none');
    const dead = setup({ allowPrivateHosts: ['127.0.0.1'] });
    const closedServer = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => closedServer.once('listening', resolve));
    const closedPort = (closedServer.address() as AddressInfo).port;
    await new Promise((resolve) => closedServer.close(resolve));
    expect(await dead.call({ ...connect(), server_url: `ws://127.0.0.1:${closedPort}/` })).toBe(OK);
    for (let attempt = 0; attempt < 11; attempt += 1) {
      await waitFor(() => dead.clock.live().length).toBe(1);
      dead.clock.fire();
    }
    await waitFor(() => dead.clock.live().length).toBe(1);
    expect(dead.clock.pending.map((timer) => timer.delayMs)).toEqual([
      1_000, 1_500, 2_250, 3_375, 5_063, 7_594, 11_391, 17_086, 25_629, 30_000, 30_000, 30_000,
    ]);
    expect(dead.deliveries).toEqual([]);
    expect(await dead.call({ type: 'disconnect' })).toBe(OK);
    expect(dead.clock.live()).toEqual([]);
    expect(dead.bridge.state('acme.sync')).toBe('none');
  });

  it('closes cleanly on disconnect: on_disconnected, no reconnect, sends refused', async () => {
    const { bridge, call, deliveries, clock } = setup();
    expect(await call(connect())).toBe(OK);
    await waitFor(() => bridge.state('acme.sync')).toBe('open');
    const socket = sockets.at(-1) as ServerSocket;
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    expect(await call({ type: 'disconnect' })).toBe(OK);
    expect(await closed).toBe(1000);
    await waitFor(() => deliveries.map(([, name]) => name)).toEqual(['on_connected', 'on_disconnected']);
    expect(clock.pending).toEqual([]);
    expect(await call({ type: 'send_text', text: 'x' })).toBe(
      '{"ok":false,"error":"host_ws_request: not connected"}',
    );
    expect(await call({ type: 'disconnect' })).toBe(OK);
  });

  it('cuts off a server that floods a slow guest, then reconnects', async () => {
    let release = () => {};
    const slow = new Promise<void>((resolve) => (release = resolve));
    const delivered: string[] = [];
    const errors: string[] = [];
    const { bridge, call, clock } = setup({
      maxQueuedMessages: 3,
      deliver: async (_plugin, exportName, input) => {
        await slow;
        delivered.push(`${exportName}:${String(input)}`);
      },
      onEvent: (event) => {
        if (event.type === 'error') errors.push(event.message);
      },
    });
    expect(await call(connect())).toBe(OK);
    await waitFor(() => bridge.state('acme.sync')).toBe('open');
    const socket = sockets.at(-1) as ServerSocket;
    for (const n of [1, 2, 3, 4, 5]) socket.send(`m${n}`);
    await waitFor(() => clock.live().map((timer) => timer.delayMs)).toEqual([1_000]);
    release();
    await bridge.idle('acme.sync');
    expect(delivered).toEqual([
      'on_connected:{"workspace_id":"w1","write_to_disk":true}',
      'handle_text_message:m1',
      'handle_text_message:m2',
      'on_disconnected:',
    ]);
    expect(errors).toContain('more than 3 messages waiting for the plugin');
  });

  it('refuses an ungranted URL, a bad scheme and private addresses before connecting', async () => {
    const granted: PermissionChecker = createPolicyChecker({
      policy: {
        plugins: { 'acme.sync': { permissions: { http_requests: { include: ['granted.example'] } } } },
      },
    });
    const before = upgrades.length;
    const { call } = setup({ permissions: granted });
    const denial = granted.check({ pluginId: 'acme.sync', type: 'http_requests', target: url() });
    expect(denial.message).toMatch(
      /^Permission (denied|not configured) for plugin 'acme.sync': http_requests on 'ws:/,
    );
    expect(await call(connect())).toBe(
      JSON.stringify({ ok: false, error: `host_ws_request: ${denial.message}` }),
    );
    const open = setup({ allowPrivateHosts: [] });
    expect(await open.call({ ...connect(), server_url: 'ftp://granted.example/' })).toBe(
      '{"ok":false,"error":"host_ws_request: server_url must use ws or wss (got ftp)"}',
    );
    expect(JSON.parse(await open.call(connect()))).toEqual({
      ok: false,
      error:
        "host_ws_request: destination refused: 127.0.0.1, a loopback address, is not reachable from plugins (the host's allowPrivateHosts does not name it)",
    });

    // A name that resolves to loopback is refused at connect time, and not retried.
    const events: string[] = [];
    const rebinding = setup({
      allowPrivateHosts: [],
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
      onEvent: (event) => events.push(event.type),
    });
    expect(await rebinding.call({ ...connect(), server_url: `ws://sync.example:${port}/` })).toBe(OK);
    await waitFor(() => rebinding.bridge.state('acme.sync')).toBe('none');
    expect(events).toEqual(['error', 'closed', 'stopped']);
    expect(rebinding.clock.pending).toEqual([]);
    expect(upgrades.length).toBe(before);
  });

  it('computes the reconnect schedule', () => {
    expect([0, 1, 2, 3, 8, 9, 50].map(reconnectDelayMs)).toEqual([
      1_000, 1_500, 2_250, 3_375, 25_629, 30_000, 30_000,
    ]);
  });
});
