import { isIP } from 'node:net';
import type { AuditSink, PermissionChecker, PermissionDecision } from '@plinth/permissions';
import { checkOptions, getHostFunction, type HostFunctionRequest } from '@plinth/protocol';
import {
  createPermissionGate,
  type HostAnswer,
  type CapabilityBundle,
  type HostCallContext,
} from '@plinth/host-kit';
import { WebSocket } from 'ws';
import { createAddressPolicy, stripBrackets, type AddressPolicyOptions } from '../http/address-policy.js';
import { createGuardedLookup, findBlockedAddressError, type ResolveHost } from '../http/guarded-lookup.js';
import { createDeliveryQueue, type DeliverToGuest } from './delivery-queue.js';
import { reconnectDelayMs, systemTimers, type ReconnectTimers } from './reconnect-backoff.js';
import { wsBridgeOptionsSchema } from './ws-options.js';

/** What `createWsBridge` needs: the permission checker, how to deliver frames to guests, and limits. */
export interface WsBridgeOptions extends AddressPolicyOptions {
  permissions: PermissionChecker;
  /** Calls the plugin's `on_connected`, `handle_binary_message`, `handle_text_message`, `on_disconnected`. */
  deliver: DeliverToGuest;
  /** Ask the user for "not configured" targets; `connect` then answers a promise (isolated lane only). */
  ask?: boolean | undefined;
  audit?: AuditSink | undefined;
  resolve?: ResolveHost | undefined;
  timers?: ReconnectTimers | undefined;
  /** Largest incoming frame (default 16 MiB); a bigger one closes the connection (then it reconnects). */
  maxMessageBytes?: number | undefined;
  /**
   * Frames waiting for a slow guest (default 1024). A server sending faster than the guest handles them
   * is cut off there (then it reconnects), so it cannot grow the host's memory without bound.
   */
  maxQueuedMessages?: number | undefined;
  /** Hears every open, close, reconnect, error and failed delivery. */
  onEvent?: ((event: WsBridgeEvent) => void) | undefined;
}

/** What the bridge did, for logs and tests. */
export type WsBridgeEvent =
  | { type: 'open' | 'stopped'; pluginId: string; url: string }
  | { type: 'closed'; pluginId: string; url: string; code: number; expected: boolean }
  | { type: 'reconnect_scheduled'; pluginId: string; url: string; attempt: number; delayMs: number }
  | { type: 'error'; pluginId: string; url: string; message: string }
  | { type: 'delivery_failed'; pluginId: string; exportName: string; error: unknown };

/** The WebSocket bridge: its host function, connection state per plugin, and teardown. */
export interface WsBridge {
  /** Serves `host_ws_request`. Synchronous (both lanes) unless `ask` is set. */
  bundle: CapabilityBundle<'ws'>;
  /** The plugin's connection: `open`, `connecting` (including waiting to reconnect) or `none`. */
  state(pluginId: string): 'open' | 'connecting' | 'none';
  /** Resolves once every delivery queued so far for the plugin has run. */
  idle(pluginId: string): Promise<void>;
  /** Stops a plugin's connection and reconnects, e.g. when the app unloads the plugin. */
  disconnect(pluginId: string): void;
  /** Stops every connection. */
  close(): void;
}

type ConnectRequest = Extract<HostFunctionRequest<'host_ws_request'>, { type: 'connect' }>;
const NAME = 'host_ws_request';
const OK = JSON.stringify({ ok: true });
const MiB = 1024 * 1024;

interface Connection {
  readonly pluginId: string;
  readonly url: string;
  readonly request: ConnectRequest;
  readonly context: HostCallContext;
  socket: WebSocket | undefined;
  opened: boolean;
  stopped: boolean;
  attempt: number;
  timer: unknown;
}

/**
 * `host_ws_request` on the `ws` package: one connection per plugin, frames delivered to the guest's
 * exports in order, reconnect with backoff (1 s × 1.5ⁿ, capped at 30 s) after an unexpected close, and
 * the same destination rules as HTTP — `http_requests` on the server URL, and private addresses refused
 * by resolved address at connect time. `connect` answers once the connection is started, not opened.
 */
export function createWsBridge(options: WsBridgeOptions): WsBridge {
  checkOptions('createWsBridge', wsBridgeOptionsSchema, options);
  const timers = options.timers ?? systemTimers;
  const maxQueued = options.maxQueuedMessages ?? 1024;
  const policy = createAddressPolicy({ allowPrivateHosts: options.allowPrivateHosts });
  const lookup = createGuardedLookup(policy, options.resolve);
  const gate = createPermissionGate({
    permissions: options.permissions,
    ask: options.ask,
    audit: options.audit,
  });
  const spec = getHostFunction(NAME);
  const emit = (event: WsBridgeEvent) => options.onEvent?.(event);
  const queue = createDeliveryQueue(options.deliver, (error, pluginId, exportName) =>
    emit({ type: 'delivery_failed', pluginId, exportName, error }),
  );
  const connections = new Map<string, Connection>();

  const stop = (connection: Connection) => {
    if (connection.stopped) return;
    connection.stopped = true;
    timers.clear(connection.timer);
    const socket = connection.socket;
    if (socket && socket.readyState === WebSocket.OPEN) socket.close(1000, 'disconnect');
    else socket?.terminate();
    if (connections.get(connection.pluginId) === connection) connections.delete(connection.pluginId);
    emit({ type: 'stopped', pluginId: connection.pluginId, url: connection.url });
  };

  const open = (connection: Connection) => {
    const { request, url, pluginId } = connection;
    const hostname = stripBrackets(new URL(url).hostname);
    const refusal = isIP(hostname) === 0 ? null : policy.check(hostname, hostname);
    if (refusal !== null) return refusal;
    const headers: Record<string, string> = {};
    if (request.auth_token !== undefined) headers['authorization'] = `Bearer ${request.auth_token}`;
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, {
        lookup: lookup as never,
        headers,
        maxPayload: options.maxMessageBytes ?? 16 * MiB,
        handshakeTimeout: 30_000,
        followRedirects: false,
      });
    } catch (error) {
      return `could not connect: ${error instanceof Error ? error.message : String(error)}`;
    }
    connection.socket = socket;
    let blocked = false;
    socket.on('open', () => {
      if (connection.stopped) return;
      connection.opened = true;
      connection.attempt = 0;
      emit({ type: 'open', pluginId, url });
      const input = JSON.stringify({
        workspace_id: request.workspace_id,
        write_to_disk: request.write_to_disk ?? true,
      });
      queue.enqueue(pluginId, 'on_connected', input);
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (connection.stopped) return;
      if (queue.pending(pluginId) >= maxQueued) {
        emit({
          type: 'error',
          pluginId,
          url,
          message: `more than ${maxQueued} messages waiting for the plugin`,
        });
        socket.terminate();
        return;
      }
      if (isBinary) queue.enqueue(pluginId, 'handle_binary_message', new Uint8Array(data));
      else queue.enqueue(pluginId, 'handle_text_message', data.toString('utf8'));
    });
    socket.on('error', (error: Error) => {
      blocked ||= findBlockedAddressError(error) !== undefined;
      emit({ type: 'error', pluginId, url, message: error.message });
    });
    socket.on('close', (code: number) => {
      if (connection.socket !== socket) return;
      connection.socket = undefined;
      const wasOpen = connection.opened;
      connection.opened = false;
      emit({ type: 'closed', pluginId, url, code, expected: connection.stopped });
      if (wasOpen) queue.enqueue(pluginId, 'on_disconnected', '');
      // A refused address will not become reachable by retrying; anything else may.
      if (blocked) stop(connection);
      if (!connection.stopped) scheduleReconnect(connection);
    });
    return null;
  };

  const scheduleReconnect = (connection: Connection) => {
    const delayMs = reconnectDelayMs(connection.attempt);
    emit({
      type: 'reconnect_scheduled',
      pluginId: connection.pluginId,
      url: connection.url,
      attempt: connection.attempt,
      delayMs,
    });
    connection.attempt += 1;
    connection.timer = timers.set(() => {
      if (connection.stopped) return;
      // The policy may have changed since the first connect: check again before every attempt.
      const retry = (decision: PermissionDecision) => {
        if (connection.stopped) return;
        if (!decision.allowed) {
          emit({
            type: 'error',
            pluginId: connection.pluginId,
            url: connection.url,
            message: decision.message,
          });
          stop(connection);
          return;
        }
        const refusal = open(connection);
        if (refusal !== null) stop(connection);
      };
      const decision = gate.decide('http_requests', connection.request.server_url, connection.context);
      if (decision instanceof Promise) void decision.then(retry, () => stop(connection));
      else retry(decision);
    }, delayMs);
  };

  const connect = (request: ConnectRequest, context: HostCallContext): HostAnswer | Promise<HostAnswer> => {
    const url = socketUrl(request);
    if (typeof url !== 'string') return url;
    if (request.auth_token !== undefined && /[\r\n\0]/.test(request.auth_token)) {
      return { failure: 'auth_token contains CR, LF or NUL, which is refused' };
    }
    const target = spec.permission?.target(request) ?? request.server_url;
    return gate.guard(NAME, 'http_requests', target, context, () => {
      const previous = connections.get(context.pluginId);
      if (previous) stop(previous);
      const connection: Connection = {
        pluginId: context.pluginId,
        url,
        request,
        context,
        socket: undefined,
        opened: false,
        stopped: false,
        attempt: 0,
        timer: undefined,
      };
      const refusal = open(connection);
      if (refusal !== null) return { failure: refusal };
      connections.set(context.pluginId, connection);
      return OK;
    });
  };

  const send = (pluginId: string, data: string | Uint8Array): HostAnswer => {
    const socket = connections.get(pluginId)?.socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) return { failure: 'not connected' };
    socket.send(data, { binary: typeof data !== 'string' });
    return OK;
  };

  return {
    bundle: {
      [NAME]: (request, context) => {
        switch (request.type) {
          case 'connect':
            return connect(request, context);
          case 'send_text':
            return send(context.pluginId, request.text);
          case 'send_binary':
            return send(context.pluginId, new Uint8Array(Buffer.from(request.data, 'base64')));
          case 'disconnect': {
            const connection = connections.get(context.pluginId);
            if (connection) stop(connection);
            return OK;
          }
        }
      },
    },
    state(pluginId) {
      const connection = connections.get(pluginId);
      if (connection === undefined) return 'none';
      return connection.socket?.readyState === WebSocket.OPEN ? 'open' : 'connecting';
    },
    idle: (pluginId) => queue.idle(pluginId),
    disconnect(pluginId) {
      const connection = connections.get(pluginId);
      if (connection) stop(connection);
    },
    close() {
      for (const connection of [...connections.values()]) stop(connection);
    },
  };
}

/** The URL to dial: ws/wss (http/https mapped to them), with the workspace and session in the query. */
function socketUrl(request: ConnectRequest): string | { failure: string } {
  let url: URL;
  try {
    url = new URL(request.server_url);
  } catch {
    return { failure: `server_url ${JSON.stringify(request.server_url)} is not a valid absolute URL` };
  }
  const schemes: Record<string, string> = { 'ws:': 'ws:', 'wss:': 'wss:', 'http:': 'ws:', 'https:': 'wss:' };
  const scheme = schemes[url.protocol];
  if (scheme === undefined) {
    return { failure: `server_url must use ws or wss (got ${url.protocol.slice(0, -1)})` };
  }
  url.protocol = scheme;
  url.hash = '';
  url.searchParams.set('workspace_id', request.workspace_id);
  if (request.session_code !== undefined) url.searchParams.set('session_code', request.session_code);
  return url.href;
}
