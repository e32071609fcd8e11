import { createAllowAllChecker, createDenyAllChecker, type PermissionChecker } from '@plinth/permissions';
import { describe, expect, it } from 'vitest';
import { serveBundleCall } from '../../bundle/serve-host-call.js';
import type { ReconnectTimers } from './reconnect-backoff.js';
import { reconnectDelayMs } from './reconnect-backoff.js';
import { createWsBundle, type WsBundleEvent, type WsBundleOptions } from './ws-bundle.js';
import type { WsConnectFailure, WsConnection, WsConnectionListener, WsConnector } from './ws-connector.js';

const NAME = 'host_ws_request';
const context = { pluginId: 'acme.sync', exportName: 'handle_command' };
const OK = '{"ok":true}';
const connectRequest = JSON.stringify({
  type: 'connect',
  server_url: 'wss://sync.example/s',
  workspace_id: 'w',
});

/** A connector whose connections the test drives by hand through their listeners. */
function handConnector(refuse?: WsConnectFailure) {
  const links: { listener: WsConnectionListener; open: boolean; sent: (string | Uint8Array)[] }[] = [];
  const connector: WsConnector = {
    connect(_request, listener) {
      if (refuse) return refuse;
      const link = { listener, open: false, sent: [] as (string | Uint8Array)[] };
      links.push(link);
      const connection: WsConnection = {
        isOpen: () => link.open,
        send(data) {
          if (data === 'explode') throw new Error('socket gone');
          link.sent.push(data);
        },
        close() {
          link.open = false;
        },
        terminate() {
          link.open = false;
        },
      };
      return connection;
    },
  };
  const open = (index = -1) => {
    const link = links.at(index);
    if (!link) throw new Error('no connection');
    link.open = true;
    link.listener.opened();
    return link;
  };
  return { connector, links, open };
}

const noTimers: ReconnectTimers = {
  set: () => {
    throw new Error('no reconnect expected');
  },
  clear: () => {},
};

function setup(connector: WsConnector, options: Partial<WsBundleOptions> = {}) {
  const events: WsBundleEvent[] = [];
  const delivered: string[] = [];
  const ws = createWsBundle({
    connector,
    permissions: createAllowAllChecker(),
    deliver: (_pluginId, exportName, input) => {
      delivered.push(`${exportName}:${typeof input === 'string' ? input : `${input.length} bytes`}`);
      return Promise.resolve();
    },
    onEvent: (event) => events.push(event),
    timers: noTimers,
    ...options,
  });
  const call = async (request: string) => {
    const served = await serveBundleCall(ws.bundle, NAME, request, context);
    return served.answer as string;
  };
  return { ws, events, delivered, call };
}

describe('createWsBundle', () => {
  it('answers a connection the connector cannot start, and keeps no session', async () => {
    const refusal = handConnector({ failure: 'blocked_address', message: 'destination refused: 10.0.0.1' });
    const { ws, call } = setup(refusal.connector);
    expect(await call(connectRequest)).toBe(
      '{"ok":false,"error":"host_ws_request: destination refused: 10.0.0.1"}',
    );
    expect(ws.state(context.pluginId)).toBe('none');
  });

  it('stops without retrying when a connection ends on a blocked address', async () => {
    const hand = handConnector();
    const { ws, events, call } = setup(hand.connector);
    expect(await call(connectRequest)).toBe(OK);
    hand.links[0]?.listener.error('blocked');
    hand.links[0]?.listener.closed({ code: 1006, blockedAddress: true });
    expect(events.map((event) => event.type)).toEqual(['error', 'closed', 'stopped']);
    expect(ws.state(context.pluginId)).toBe('none');
  });

  it('cuts off an oversized frame the connector let through, undelivered', async () => {
    const hand = handConnector();
    const scheduled: number[] = [];
    const { ws, events, delivered, call } = setup(hand.connector, {
      maxMessageBytes: 4,
      timers: { set: (_callback, delayMs) => scheduled.push(delayMs), clear: () => {} },
    });
    expect(await call(connectRequest)).toBe(OK);
    const link = hand.open();
    link.listener.message('héhé');
    link.listener.message('late');
    link.listener.closed({ code: 1006, blockedAddress: false });
    await ws.idle(context.pluginId);
    expect(delivered).toEqual(['on_connected:{"workspace_id":"w","write_to_disk":true}', 'on_disconnected:']);
    expect(events).toContainEqual({
      type: 'error',
      pluginId: context.pluginId,
      url: 'wss://sync.example/s?workspace_id=w',
      message: 'a frame of 6 bytes is larger than the limit of 4 bytes',
    });
    expect(scheduled).toEqual([reconnectDelayMs(0)]);
  });

  it('answers a send the connection throws on, and decodes binary frames from base64', async () => {
    const hand = handConnector();
    const { call } = setup(hand.connector);
    expect(await call(connectRequest)).toBe(OK);
    const link = hand.open();
    expect(await call('{"type":"send_text","text":"explode"}')).toBe(
      '{"ok":false,"error":"host_ws_request: send failed: socket gone"}',
    );
    expect(await call('{"type":"send_binary","data":"AP8="}')).toBe(OK);
    expect(link.sent).toEqual([new Uint8Array([0, 255])]);
  });

  it('checks with checkAsync when ask is set, answering a promise', async () => {
    const hand = handConnector();
    const denied = createDenyAllChecker();
    const permissions: PermissionChecker = {
      check: () => {
        throw new Error('ask: the bundle must use checkAsync');
      },
      checkAsync: (request) => Promise.resolve(denied.check(request)),
    };
    const { ws } = setup(hand.connector, { permissions, ask: true });
    const answer = ws.bundle.host_ws_request(
      { type: 'connect', server_url: 'wss://sync.example/s', workspace_id: 'w' },
      context,
    );
    expect(answer).toBeInstanceOf(Promise);
    expect(await answer).toMatchObject({
      failure: expect.stringMatching(/http_requests on 'wss:\/\/sync\.example\/s'/),
    });
    expect(hand.links).toEqual([]);
  });

  it('refuses options without a connector, naming it', () => {
    expect(() =>
      createWsBundle({ permissions: createAllowAllChecker(), deliver: () => Promise.resolve() } as never),
    ).toThrow(
      expect.objectContaining({ code: 'invalid_options', message: expect.stringMatching(/connector/) }),
    );
  });
});
