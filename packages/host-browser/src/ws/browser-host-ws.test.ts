import {
  SERVICE_METHODS,
  serveBundleCall,
  type KeyValueStore,
  type NamespaceStore,
  type SecretStore,
  type WsBundleEvent,
} from '@plinth/host-kit';
import { createPolicyChecker } from '@plinth/permissions';
import { OptionsError } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { createBrowserHost, createBrowserWsConnector, type BrowserHostOptions } from '../index.js';
import { FakeWebSocket } from './__fixtures__/fake-web-socket.js';

// createBrowserHost's WebSocket functions, through host-kit's bundle and the browser connector over a
// stand-in WebSocket (the real one: test/browser/host-browser.test.ts).

const PLUGIN = 'acme.sync';
const keyValue: KeyValueStore = { get: () => undefined, set: () => undefined, delete: () => false };
const secrets: SecretStore = { get: () => undefined, set: () => undefined, delete: () => false };
const unused = () => {
  throw new Error('not used here');
};
const namespaces = Object.fromEntries(
  SERVICE_METHODS.namespaces.map((method) => [method, unused]),
) as unknown as NamespaceStore;

function host(options: Partial<BrowserHostOptions> = {}) {
  const delivered: [string, string, string][] = [];
  const events: WsBundleEvent['type'][] = [];
  const created = createBrowserHost({
    permissions: createPolicyChecker({
      policy: { plugins: { [PLUGIN]: { permissions: { http_requests: { include: ['sync.example'] } } } } },
    }),
    stores: { storage: keyValue, secrets, namespaces },
    log: () => undefined,
    deliver: async (pluginId, exportName, input) => {
      delivered.push([pluginId, exportName, typeof input === 'string' ? input : `bytes:${input.length}`]);
    },
    ws: createBrowserWsConnector({ WebSocket: FakeWebSocket as unknown as typeof WebSocket }),
    onWsEvent: (event) => events.push(event.type),
    ...options,
  });
  const call = (request: object) =>
    serveBundleCall(created.bundle, 'host_ws_request', JSON.stringify(request), {
      pluginId: PLUGIN,
      exportName: 'handle_command',
    });
  return { host: created, call, delivered, events };
}

const connect = { type: 'connect', server_url: 'wss://sync.example/sync', workspace_id: 'w1' };

describe('createBrowserHost: WebSockets', () => {
  it('serves host_ws_request when given deliver: at once, frames to the plugin, disconnect and close', async () => {
    const { host: browserHost, call, delivered, events } = host();
    expect(browserHost.coverage().find((row) => row.capability === 'ws')).toMatchObject({ missing: [] });
    const before = FakeWebSocket.made.length;
    const served = call(connect);
    expect(served).not.toBeInstanceOf(Promise);
    expect(served).toEqual({ answer: '{"ok":true}', outcome: 'ok' });
    const socket = FakeWebSocket.made[before] as FakeWebSocket;
    expect(socket.url).toBe('wss://sync.example/sync?workspace_id=w1');
    socket.serverOpens();
    socket.serverSends('hello');
    await expect
      .poll(() => delivered)
      .toEqual([
        [PLUGIN, 'on_connected', '{"workspace_id":"w1","write_to_disk":true}'],
        [PLUGIN, 'handle_text_message', 'hello'],
      ]);
    browserHost.disconnect(PLUGIN);
    expect(socket.closes).toEqual([{ code: 1000, reason: 'disconnect' }]);
    socket.serverCloses(1000);
    expect(events).toEqual(['open', 'stopped', 'closed']);

    expect(call(connect)).toEqual({ answer: '{"ok":true}', outcome: 'ok' });
    const second = FakeWebSocket.made[before + 1] as FakeWebSocket;
    second.serverOpens();
    browserHost.close();
    expect(second.closes).toEqual([{ code: 1000, reason: 'disconnect' }]);
  });

  it("answers a guest's token with the browser's refusal, connecting nothing", () => {
    const { call } = host();
    const before = FakeWebSocket.made.length;
    expect(call({ ...connect, auth_token: 'secret' })).toEqual({
      answer:
        '{"ok":false,"error":"host_ws_request: a browser cannot send WebSocket handshake headers (authorization, from auth_token); connect without them and authenticate over the connection"}',
      outcome: 'failure',
    });
    expect(FakeWebSocket.made).toHaveLength(before);
  });

  it('leaves the WebSocket functions "not available" without deliver, and refuses ws or onWsEvent without it', () => {
    const { host: browserHost, call } = host({ deliver: undefined, ws: undefined, onWsEvent: undefined });
    expect(browserHost.coverage().find((row) => row.capability === 'ws')).toMatchObject({ served: [] });
    expect(call(connect)).toMatchObject({ outcome: 'not_available' });
    expect(() => browserHost.close()).not.toThrow();
    let thrown: unknown;
    try {
      host({ deliver: undefined });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OptionsError);
    expect((thrown as Error).message).toBe(
      'createBrowserHost: option `ws` needs `deliver` (the function that calls a plugin with its frames); option `onWsEvent` needs `deliver` (the function that calls a plugin with its frames)',
    );
  });
});
