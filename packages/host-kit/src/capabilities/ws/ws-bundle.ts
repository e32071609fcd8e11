import type { AuditSink, PermissionChecker, PermissionDecision } from '@plinth/permissions';
import { checkOptions, getHostFunction, type HostFunctionRequest } from '@plinth/protocol';
import type { CapabilityBundle } from '../../bundle/coverage.js';
import type { HostAnswer, HostCallContext } from '../../bundle/host-bundle.js';
import { permissionGate } from '../../bundle/permission-gate.js';
import { wsBundleOptionsSchema } from '../../options/capability-options.js';
import { decodeBase64 } from '../base64.js';
import { createDeliveryQueue, type DeliverToGuest } from './delivery-queue.js';
import { reconnectDelayMs, systemTimers, type ReconnectTimers } from './reconnect-backoff.js';
import type { WsConnection, WsConnector } from './ws-connector.js';

/** Options of `createWsBundle`: the connector, the checker, how frames reach guests, and limits. */
export interface WsBundleOptions {
  connector: WsConnector;
  permissions: PermissionChecker;
  /** Calls the plugin's `on_connected`, `handle_binary_message`, `handle_text_message`, `on_disconnected`. */
  deliver: DeliverToGuest;
  /** Ask the user for "not configured" targets; `connect` then answers a promise (isolated lane only). */
  ask?: boolean | undefined;
  audit?: AuditSink | undefined;
  /** When reconnects run (default `systemTimers`); tests pass timers they fire themselves. */
  timers?: ReconnectTimers | undefined;
  /** Largest incoming frame (default 16 MiB); a bigger one closes the connection (then it reconnects). */
  maxMessageBytes?: number | undefined;
  /**
   * Frames waiting for a slow guest (default 1024). A server sending faster than the guest handles them
   * is cut off there (then it reconnects), so it cannot grow the host's memory without bound.
   */
  maxQueuedMessages?: number | undefined;
  /** Hears every open, close, reconnect, error and failed delivery. */
  onEvent?: ((event: WsBundleEvent) => void) | undefined;
}

/** What the WebSocket bundle did, for logs and tests. */
export type WsBundleEvent =
  | { type: 'open' | 'stopped'; pluginId: string; url: string }
  | { type: 'closed'; pluginId: string; url: string; code: number; expected: boolean }
  | { type: 'reconnect_scheduled'; pluginId: string; url: string; attempt: number; delayMs: number }
  | { type: 'error'; pluginId: string; url: string; message: string }
  | { type: 'delivery_failed'; pluginId: string; exportName: string; error: unknown };

/** `host_ws_request` with its connections: the bundle, each plugin's connection state, and teardown. */
export interface WsBundle {
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

/** The default `maxMessageBytes`: 16 MiB. */
export const DEFAULT_WS_MESSAGE_MAX_BYTES = 16 * 1024 * 1024;
/** The default `maxQueuedMessages`. */
export const DEFAULT_WS_QUEUED_MESSAGES = 1024;

type ConnectRequest = Extract<HostFunctionRequest<'host_ws_request'>, { type: 'connect' }>;
const NAME = 'host_ws_request';
const OK = JSON.stringify({ ok: true });

/** One plugin's connection, across reconnects. */
interface Session {
  readonly pluginId: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly request: ConnectRequest;
  readonly context: HostCallContext;
  /** The current attempt; a stopped session keeps it until it reports `closed`. */
  link: Link | undefined;
  stopped: boolean;
  attempt: number;
  timer: unknown;
}

/** One attempt to connect, and the connection it became. */
interface Link {
  connection: WsConnection | undefined;
  opened: boolean;
  /** Cut off by the bundle (a flood or an oversized frame): its further frames are dropped. */
  cut: boolean;
}

const encoder = new TextEncoder();

/**
 * `host_ws_request` over a connector: one connection per plugin, frames delivered to the guest's exports
 * in order, reconnect with backoff (1 s × 1.5ⁿ, capped at 30 s) after an unexpected close, and
 * `http_requests` checked on the server URL at connect and again before every reconnect. `connect`
 * answers once the connection is started, not opened.
 */
export function createWsBundle(options: WsBundleOptions): WsBundle {
  checkOptions('createWsBundle', wsBundleOptionsSchema, options);
  const { connector } = options;
  const timers = options.timers ?? systemTimers;
  const maxQueued = options.maxQueuedMessages ?? DEFAULT_WS_QUEUED_MESSAGES;
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_WS_MESSAGE_MAX_BYTES;
  const gate = permissionGate({ permissions: options.permissions, ask: options.ask, audit: options.audit });
  const spec = getHostFunction(NAME);
  const emit = (event: WsBundleEvent) => options.onEvent?.(event);
  const queue = createDeliveryQueue(options.deliver, (error, pluginId, exportName) =>
    emit({ type: 'delivery_failed', pluginId, exportName, error }),
  );
  const sessions = new Map<string, Session>();

  const stop = (session: Session) => {
    if (session.stopped) return;
    session.stopped = true;
    timers.clear(session.timer);
    session.link?.connection?.close();
    if (sessions.get(session.pluginId) === session) sessions.delete(session.pluginId);
    emit({ type: 'stopped', pluginId: session.pluginId, url: session.url });
  };

  const cut = (session: Session, link: Link, message: string) => {
    link.cut = true;
    emit({ type: 'error', pluginId: session.pluginId, url: session.url, message });
    link.connection?.terminate();
  };

  /** Starts one attempt; answers why it could not start, or null. */
  const open = (session: Session): string | null => {
    const { pluginId, url } = session;
    const link: Link = { connection: undefined, opened: false, cut: false };
    // Set before the connect call, so a connector that reports too early is still heard.
    session.link = link;
    const current = () => session.link === link && !session.stopped;
    const started = connector.connect(
      { url, headers: session.headers, maxMessageBytes },
      {
        opened() {
          if (!current()) return;
          link.opened = true;
          session.attempt = 0;
          emit({ type: 'open', pluginId, url });
          const input = JSON.stringify({
            workspace_id: session.request.workspace_id,
            write_to_disk: session.request.write_to_disk ?? true,
          });
          queue.enqueue(pluginId, 'on_connected', input);
        },
        message(data) {
          if (!current() || link.cut) return;
          const size = typeof data === 'string' ? encoder.encode(data).length : data.length;
          // The connector enforces this; checked again so one that does not cannot deliver more.
          if (size > maxMessageBytes) {
            cut(
              session,
              link,
              `a frame of ${size} bytes is larger than the limit of ${maxMessageBytes} bytes`,
            );
            return;
          }
          if (queue.pending(pluginId) >= maxQueued) {
            cut(session, link, `more than ${maxQueued} messages waiting for the plugin`);
            return;
          }
          if (typeof data === 'string') queue.enqueue(pluginId, 'handle_text_message', data);
          else queue.enqueue(pluginId, 'handle_binary_message', data);
        },
        error(message) {
          emit({ type: 'error', pluginId, url, message });
        },
        closed({ code, blockedAddress }) {
          if (session.link !== link) return;
          session.link = undefined;
          emit({ type: 'closed', pluginId, url, code, expected: session.stopped });
          if (link.opened) queue.enqueue(pluginId, 'on_disconnected', '');
          // A refused address will not become reachable by retrying; anything else may.
          if (blockedAddress) stop(session);
          if (!session.stopped) scheduleReconnect(session);
        },
      },
    );
    if ('failure' in started) {
      if (session.link === link) session.link = undefined;
      return started.message;
    }
    link.connection = started;
    return null;
  };

  const scheduleReconnect = (session: Session) => {
    const delayMs = reconnectDelayMs(session.attempt);
    emit({
      type: 'reconnect_scheduled',
      pluginId: session.pluginId,
      url: session.url,
      attempt: session.attempt,
      delayMs,
    });
    session.attempt += 1;
    session.timer = timers.set(() => {
      if (session.stopped) return;
      // The policy may have changed since the first connect: check again before every attempt.
      const retry = (decision: PermissionDecision) => {
        if (session.stopped) return;
        if (!decision.allowed) {
          emit({ type: 'error', pluginId: session.pluginId, url: session.url, message: decision.message });
          stop(session);
          return;
        }
        if (open(session) !== null) stop(session);
      };
      const decision = gate.decide('http_requests', session.request.server_url, session.context);
      if (decision instanceof Promise) void decision.then(retry, () => stop(session));
      else retry(decision);
    }, delayMs);
  };

  const connect = (request: ConnectRequest, context: HostCallContext): HostAnswer | Promise<HostAnswer> => {
    const url = socketUrl(request);
    if (typeof url !== 'string') return url;
    if (request.auth_token !== undefined && /[\r\n\0]/.test(request.auth_token)) {
      return { failure: 'auth_token contains CR, LF or NUL, which is refused' };
    }
    const headers: Record<string, string> = {};
    if (request.auth_token !== undefined) headers['authorization'] = `Bearer ${request.auth_token}`;
    const target = spec.permission?.target(request) ?? request.server_url;
    return gate.guard(NAME, 'http_requests', target, context, () => {
      const previous = sessions.get(context.pluginId);
      if (previous) stop(previous);
      const session: Session = {
        pluginId: context.pluginId,
        url,
        headers,
        request,
        context,
        link: undefined,
        stopped: false,
        attempt: 0,
        timer: undefined,
      };
      const refusal = open(session);
      if (refusal !== null) return { failure: refusal };
      sessions.set(context.pluginId, session);
      return OK;
    });
  };

  const send = (pluginId: string, data: string | Uint8Array): HostAnswer => {
    const link = sessions.get(pluginId)?.link;
    const connection = link?.connection;
    if (connection === undefined || link?.cut || !connection.isOpen()) return { failure: 'not connected' };
    try {
      connection.send(data);
    } catch (error) {
      return { failure: `send failed: ${error instanceof Error ? error.message : String(error)}` };
    }
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
            return send(context.pluginId, decodeBase64(request.data));
          case 'disconnect': {
            const session = sessions.get(context.pluginId);
            if (session) stop(session);
            return OK;
          }
        }
      },
    },
    state(pluginId) {
      const session = sessions.get(pluginId);
      if (session === undefined) return 'none';
      return session.link?.connection?.isOpen() === true ? 'open' : 'connecting';
    },
    idle: (pluginId) => queue.idle(pluginId),
    disconnect(pluginId) {
      const session = sessions.get(pluginId);
      if (session) stop(session);
    },
    close() {
      for (const session of [...sessions.values()]) stop(session);
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
