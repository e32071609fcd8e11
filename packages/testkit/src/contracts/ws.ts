import { createPolicyChecker, type PermissionChecker } from '@plinth/permissions';
import {
  createWsBundle,
  type WsBundle,
  type WsBundleEvent,
  type WsBundleOptions,
  type WsConnector,
  type WsConnectRequest,
} from '@plinth/host-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createManualTimers } from '../twins/ws.js';
import { callWireAny } from './wire.js';

/** One connection as the contract's server sees it, and drives it. */
export interface WsContractPeer {
  /** The request path and query, e.g. `/sync?workspace_id=w1`. */
  readonly path: string;
  /** The handshake headers, lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Frames from the plugin, in order: text as strings, binary as bytes. */
  readonly received: readonly (string | Uint8Array)[];
  /** Once closed: the close code the server saw (1000 for the plugin's clean close). */
  readonly closeCode: number | undefined;
  /** Sends the plugin a frame: a string as text, bytes as binary. */
  send(data: string | Uint8Array): void;
  /** Drops the connection without a closing handshake. */
  drop(): void;
}

/** A backend under test: its connector must reach a server at `url` that accepts every connection. */
export interface WsContractSubject {
  connector: WsConnector;
  /** The server as the plugin dials it: an absolute `ws:` URL with a path, e.g. `ws://127.0.0.1:54321/sync`. */
  url: string;
  /** The connections the server has accepted so far, oldest first. */
  connections(): readonly WsContractPeer[];
  /** Stops the server; called once, after the suite. */
  close?: () => void | Promise<void>;
  /**
   * Whether the connector sends handshake headers. `'sent'` (the default): the token reaches the server as
   * `authorization`. `'refused'`: it cannot send them (a browser's WebSocket), so it must refuse a request
   * with headers as a failure naming them, never connect without them.
   */
  handshakeHeaders?: 'sent' | 'refused' | undefined;
  /**
   * The close code the server sees when the connector ends a connection over an oversized frame: 1009 (the
   * default), or the code it can send instead (a browser script may close only with 1000 or 3000–4999).
   */
  oversizeCloseCode?: number | undefined;
}

/** The plugin ids the WebSocket suite calls as; the suite's policy grants them the server's host. */
export const WS_CONTRACT_PLUGIN_IDS = ['contract.ws', 'contract.ws-b'] as const;

const NAME = 'host_ws_request';
const [PLUGIN, OTHER] = WS_CONTRACT_PLUGIN_IDS;
const OK = '{"ok":true}';
const shapeO = (message: string) => JSON.stringify({ ok: false, error: `${NAME}: ${message}` });
const hex = (bytes: Uint8Array) => [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
const show = (frame: string | Uint8Array) => (typeof frame === 'string' ? frame : `hex:${hex(frame)}`);
const waitFor = <T>(check: () => T) => expect.poll(check, { timeout: 5_000 });

type Delivery = [pluginId: string, exportName: string, input: string];

/**
 * The shared WebSocket contract: any connector, put behind `createWsBundle`, must give guests exactly
 * these answers and deliveries. The suite grants `http_requests` on the server's host only, delivers to
 * a recording guest, and drives reconnects with manual timers.
 */
export function describeWsContract(
  label: string,
  makeSubject: () => WsContractSubject | Promise<WsContractSubject>,
): void {
  describe(`host_ws_request contract: ${label}`, () => {
    let subject: WsContractSubject;
    let host: string;
    let bundles: WsBundle[] = [];

    beforeAll(async () => {
      subject = await makeSubject();
      host = new URL(subject.url).hostname.replace(/^\[|\]$/g, '');
    });
    afterEach(() => {
      for (const bundle of bundles) bundle.close();
      bundles = [];
    });
    afterAll(async () => {
      await subject.close?.();
    });

    const grant = (): PermissionChecker =>
      createPolicyChecker({
        policy: {
          plugins: Object.fromEntries(
            WS_CONTRACT_PLUGIN_IDS.map((id) => [id, { permissions: { http_requests: { include: [host] } } }]),
          ),
        },
      });

    const setup = (options: Partial<WsBundleOptions> = {}) => {
      const deliveries: Delivery[] = [];
      const events: WsBundleEvent[] = [];
      const running = new Map<string, number>();
      let overlapped = false;
      const timers = createManualTimers();
      const dials: WsConnectRequest[] = [];
      const ws = createWsBundle({
        connector: {
          connect: (request, listener) => {
            dials.push(request);
            return subject.connector.connect(request, listener);
          },
        },
        permissions: grant(),
        timers,
        onEvent: (event) => events.push(event),
        deliver: async (pluginId, exportName, input) => {
          running.set(pluginId, (running.get(pluginId) ?? 0) + 1);
          overlapped ||= (running.get(pluginId) ?? 0) > 1;
          // Yield, so overlapping deliveries would interleave if the bundle did not serialize them.
          await new Promise((resolve) => setTimeout(resolve, 0));
          deliveries.push([pluginId, exportName, show(input)]);
          running.set(pluginId, (running.get(pluginId) ?? 1) - 1);
        },
        ...options,
      });
      bundles.push(ws);
      /** The wire answer; without `ask` the handler answers at once, on both lanes. */
      const call = (input: unknown, pluginId: string = PLUGIN): string => {
        const answer = callWireAny(ws.bundle, NAME, input, pluginId);
        if (typeof answer !== 'string') throw new Error(`${NAME} answered a promise without ask`);
        return answer;
      };
      return { ws, call, deliveries, events, timers, dials, overlapped: () => overlapped };
    };

    const connect = (extra: object = {}) => ({
      type: 'connect',
      server_url: subject.url,
      workspace_id: 'w1',
      ...extra,
    });
    /** The connection the server accepts after `before` others. */
    const peerAfter = async (before: number): Promise<WsContractPeer> => {
      await waitFor(() => subject.connections().length).toBeGreaterThan(before);
      return subject.connections()[before] as WsContractPeer;
    };
    const names = (deliveries: readonly Delivery[], pluginId: string = PLUGIN) =>
      deliveries.filter(([id]) => id === pluginId).map(([, exportName]) => exportName);

    it('connects with the workspace, session and token (or refuses a token it cannot send); on_connected gets the workspace', async () => {
      const { ws, call, deliveries, dials } = setup();
      const before = subject.connections().length;
      const path = new URL(subject.url).pathname;
      const dial = (headers: Record<string, string>) => ({
        url: new URL(`${path}?workspace_id=w1&session_code=S1`, subject.url).href,
        headers,
        maxMessageBytes: 16 * 1024 * 1024,
      });
      const withToken = { auth_token: 'secret', session_code: 'S1', write_to_disk: false };
      const refused = subject.handshakeHeaders === 'refused';
      if (refused) {
        // Connecting without the header the guest asked for would be a silent downgrade.
        const answer = JSON.parse(call(connect(withToken))) as { ok: boolean; error: string };
        expect(answer.ok).toBe(false);
        expect(answer.error).toMatch(new RegExp(`^${NAME}: .*header.*authorization`));
        expect(answer.error).not.toContain('secret');
        expect(ws.state(PLUGIN)).toBe('none');
        expect(call(connect({ session_code: 'S1', write_to_disk: false }))).toBe(OK);
      } else {
        expect(call(connect(withToken))).toBe(OK);
      }
      const peer = await peerAfter(before);
      expect(peer.path).toBe(`${path}?workspace_id=w1&session_code=S1`);
      expect(peer.headers['authorization']).toBe(refused ? undefined : 'Bearer secret');
      expect(dials).toEqual(
        refused
          ? [dial({ authorization: 'Bearer secret' }), dial({})]
          : [dial({ authorization: 'Bearer secret' })],
      );
      await waitFor(() => deliveries).toEqual([
        [PLUGIN, 'on_connected', '{"workspace_id":"w1","write_to_disk":false}'],
      ]);
      expect(ws.state(PLUGIN)).toBe('open');
      expect(ws.state(OTHER)).toBe('none');
      expect(subject.connections()).toHaveLength(before + 1);
    });

    it('sends text and binary frames to the server, in order', async () => {
      const { ws, call } = setup();
      const before = subject.connections().length;
      expect(call(connect())).toBe(OK);
      const peer = await peerAfter(before);
      await waitFor(() => ws.state(PLUGIN)).toBe('open');
      expect(call({ type: 'send_text', text: 'héllo' })).toBe(OK);
      expect(call({ type: 'send_binary', data: 'AP8=' })).toBe(OK);
      expect(call({ type: 'send_text', text: '' })).toBe(OK);
      await waitFor(() => peer.received.map(show)).toEqual(['héllo', 'hex:00ff', '']);
    });

    it('delivers server frames to the right exports of the right plugin, in order, one at a time', async () => {
      const { ws, call, deliveries, overlapped } = setup();
      const before = subject.connections().length;
      expect(call(connect())).toBe(OK);
      const peer = await peerAfter(before);
      await waitFor(() => ws.state(PLUGIN)).toBe('open');
      expect(call(connect({ workspace_id: 'w2' }), OTHER)).toBe(OK);
      await waitFor(() => ws.state(OTHER)).toBe('open');
      peer.send('one');
      peer.send(new Uint8Array([1, 2, 3]));
      peer.send('two');
      await waitFor(() => deliveries.filter(([id]) => id === PLUGIN)).toEqual([
        [PLUGIN, 'on_connected', '{"workspace_id":"w1","write_to_disk":true}'],
        [PLUGIN, 'handle_text_message', 'one'],
        [PLUGIN, 'handle_binary_message', 'hex:010203'],
        [PLUGIN, 'handle_text_message', 'two'],
      ]);
      await ws.idle(OTHER);
      expect(deliveries.filter(([id]) => id === OTHER)).toEqual([
        [OTHER, 'on_connected', '{"workspace_id":"w2","write_to_disk":true}'],
      ]);
      expect(overlapped()).toBe(false);
    });

    it('closes cleanly on disconnect: code 1000 at the server, on_disconnected, no reconnect, sends refused', async () => {
      const { ws, call, deliveries, timers } = setup();
      const before = subject.connections().length;
      expect(call(connect())).toBe(OK);
      const peer = await peerAfter(before);
      await waitFor(() => ws.state(PLUGIN)).toBe('open');
      expect(call({ type: 'disconnect' })).toBe(OK);
      expect(ws.state(PLUGIN)).toBe('none');
      await waitFor(() => peer.closeCode).toBe(1000);
      await waitFor(() => names(deliveries)).toEqual(['on_connected', 'on_disconnected']);
      expect(timers.delays).toEqual([]);
      expect(call({ type: 'send_text', text: 'x' })).toBe(shapeO('not connected'));
      expect(call({ type: 'disconnect' })).toBe(OK);
      expect(subject.connections()).toHaveLength(before + 1);
    });

    it('reconnects after a drop (1 s, then 1.5 s, …), checking the permission again before dialing', async () => {
      let revoked = false;
      const granted = grant();
      const revokedChecker = createPolicyChecker({ policy: { plugins: {} } });
      const permissions: PermissionChecker = {
        check: (request) => (revoked ? revokedChecker : granted).check(request),
        checkAsync: (request) => (revoked ? revokedChecker : granted).checkAsync(request),
      };
      const { ws, call, deliveries, timers, events, dials } = setup({ permissions });
      const before = subject.connections().length;
      expect(call(connect())).toBe(OK);
      (await peerAfter(before)).drop();
      await waitFor(() => timers.pending()).toEqual([1_000]);
      await waitFor(() => names(deliveries)).toEqual(['on_connected', 'on_disconnected']);
      expect(ws.state(PLUGIN)).toBe('connecting');

      timers.fireNext();
      const second = await peerAfter(before + 1);
      await waitFor(() => ws.state(PLUGIN)).toBe('open');
      await waitFor(() => names(deliveries)).toEqual(['on_connected', 'on_disconnected', 'on_connected']);

      // A drop after a successful reconnect starts the backoff over; a revoked grant stops the retry.
      second.drop();
      await waitFor(() => timers.pending()).toEqual([1_000]);
      revoked = true;
      timers.fireNext();
      expect(ws.state(PLUGIN)).toBe('none');
      expect(timers.pending()).toEqual([]);
      expect(dials).toHaveLength(2);
      const refusal = revokedChecker.check({ pluginId: PLUGIN, type: 'http_requests', target: subject.url });
      expect(events).toContainEqual({
        type: 'error',
        pluginId: PLUGIN,
        url: expect.any(String),
        message: refusal.message,
      });
    });

    it('refuses an ungranted server, a bad scheme, an invalid URL and a bad token before dialing', async () => {
      const { call, ws, dials } = setup();
      const ungranted = 'wss://not-granted.example/sync';
      const denial = grant().check({ pluginId: PLUGIN, type: 'http_requests', target: ungranted });
      expect(denial.message).toMatch(
        /^Permission (denied|not configured) for plugin 'contract\.ws': http_requests on 'wss:\/\/not-granted\.example\/sync'/,
      );
      expect(call(connect({ server_url: ungranted }))).toBe(shapeO(denial.message));
      expect(call(connect({ server_url: 'ftp://files.example/' }))).toBe(
        shapeO('server_url must use ws or wss (got ftp)'),
      );
      expect(call(connect({ server_url: 'not a url' }))).toBe(
        shapeO('server_url "not a url" is not a valid absolute URL'),
      );
      expect(call(connect({ auth_token: 'a\r\nInjected: yes' }))).toBe(
        shapeO('auth_token contains CR, LF or NUL, which is refused'),
      );
      expect(ws.state(PLUGIN)).toBe('none');
      expect(dials).toEqual([]);
    });

    it('answers malformed requests and sends without a connection in the O shape', () => {
      const { call, dials } = setup();
      for (const request of [
        { type: 'teleport' },
        { type: 'send_binary', data: '***' },
        { type: 'connect', server_url: subject.url },
        { type: 'send_text' },
        '{not json',
      ]) {
        const answer = JSON.parse(call(request)) as { ok: boolean; error: string };
        expect(answer.ok).toBe(false);
        expect(answer.error).toMatch(new RegExp(`^${NAME}: .+`));
      }
      expect(call({ type: 'send_text', text: 'x' })).toBe(shapeO('not connected'));
      expect(call({ type: 'send_binary', data: 'AA==' })).toBe(shapeO('not connected'));
      expect(dials).toEqual([]);
    });

    it('cuts off a server that floods a slow guest past maxQueuedMessages, then reconnects', async () => {
      let release = () => {};
      const slow = new Promise<void>((resolve) => (release = resolve));
      const delivered: string[] = [];
      const { ws, call, timers, events } = setup({
        maxQueuedMessages: 3,
        deliver: async (_pluginId, exportName, input) => {
          await slow;
          delivered.push(`${exportName}:${show(input)}`);
        },
      });
      const before = subject.connections().length;
      expect(call(connect())).toBe(OK);
      const peer = await peerAfter(before);
      await waitFor(() => ws.state(PLUGIN)).toBe('open');
      for (const n of [1, 2, 3, 4, 5]) peer.send(`m${n}`);
      await waitFor(() => timers.pending()).toEqual([1_000]);
      release();
      await ws.idle(PLUGIN);
      expect(delivered).toEqual([
        'on_connected:{"workspace_id":"w1","write_to_disk":true}',
        'handle_text_message:m1',
        'handle_text_message:m2',
        'on_disconnected:',
      ]);
      expect(events).toContainEqual({
        type: 'error',
        pluginId: PLUGIN,
        url: expect.any(String),
        message: 'more than 3 messages waiting for the plugin',
      });
    });

    it('closes a connection on a frame over maxMessageBytes, undelivered, then reconnects', async () => {
      const { ws, call, deliveries, timers } = setup({ maxMessageBytes: 8 });
      const before = subject.connections().length;
      expect(call(connect())).toBe(OK);
      const peer = await peerAfter(before);
      await waitFor(() => ws.state(PLUGIN)).toBe('open');
      peer.send('12345678');
      peer.send('123456789');
      await waitFor(() => timers.pending()).toEqual([1_000]);
      await waitFor(() => deliveries.map(([, exportName, input]) => `${exportName}:${input}`)).toEqual([
        'on_connected:{"workspace_id":"w1","write_to_disk":true}',
        'handle_text_message:12345678',
        'on_disconnected:',
      ]);
      await waitFor(() => peer.closeCode).toBe(subject.oversizeCloseCode ?? 1009);
    });

    it('replaces the connection when the plugin connects again', async () => {
      const { ws, call, deliveries } = setup();
      const before = subject.connections().length;
      expect(call(connect())).toBe(OK);
      const first = await peerAfter(before);
      await waitFor(() => ws.state(PLUGIN)).toBe('open');
      expect(call(connect({ workspace_id: 'w2' }))).toBe(OK);
      const second = await peerAfter(before + 1);
      await waitFor(() => first.closeCode).toBe(1000);
      await waitFor(() => ws.state(PLUGIN)).toBe('open');
      expect(second.path).toMatch(/\?workspace_id=w2$/);
      expect(call({ type: 'send_text', text: 'to the new one' })).toBe(OK);
      await waitFor(() => second.received).toEqual(['to the new one']);
      expect(first.received).toEqual([]);
      await waitFor(() =>
        deliveries.filter(([, name]) => name === 'on_connected').map(([, , input]) => input),
      ).toEqual(['{"workspace_id":"w1","write_to_disk":true}', '{"workspace_id":"w2","write_to_disk":true}']);
    });
  });
}
