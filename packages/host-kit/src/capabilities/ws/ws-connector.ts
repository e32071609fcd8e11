/** What `createWsBundle` asks a connector to open. */
export interface WsConnectRequest {
  /** `ws:` or `wss:`, with `workspace_id` (and `session_code`) in the query and no fragment. */
  readonly url: string;
  /** Headers for the handshake (`authorization` when the guest gave a token); no value holds CR, LF or NUL. */
  readonly headers: Readonly<Record<string, string>>;
  /** Largest incoming frame: a bigger one ends the connection (close code 1009), undelivered. */
  readonly maxMessageBytes: number;
}

/** How a connection ended. */
export interface WsClosed {
  /** The close code: the peer's, 1006 for a connection that dropped or never opened. */
  readonly code: number;
  /**
   * The destination was refused by address after the connect call (a name resolving to a private
   * address): reconnecting cannot help, so the bundle stops instead of retrying.
   */
  readonly blockedAddress: boolean;
}

/**
 * Where a connector reports one connection's progress. Never called during `connect` itself (a connector
 * reports asynchronously, as a network does); after `closed`, nothing more.
 */
export interface WsConnectionListener {
  /** The handshake succeeded: frames may be sent. */
  opened(): void;
  /** A frame from the server: text as a string, binary as bytes. */
  message(data: string | Uint8Array): void;
  /** Something went wrong; for the host's events only (a `closed` follows when the connection ends). */
  error(message: string): void;
  /** The connection ended, after `opened` or instead of it. Called exactly once. */
  closed(closed: WsClosed): void;
}

/** One connection a connector started, as the bundle drives it. */
export interface WsConnection {
  /** Whether frames can be sent now: open, and not closing. */
  isOpen(): boolean;
  /** Sends one frame: a string as text, bytes as binary. Only called while `isOpen()`. */
  send(data: string | Uint8Array): void;
  /** Closes cleanly (code 1000) when open, else abandons the attempt; `closed` still follows. */
  close(): void;
  /** Drops the connection at once, without a closing handshake; `closed` still follows. */
  terminate(): void;
}

/**
 * A connection that could not even be started. The guest sees `message`, so it must name no host
 * internals.
 */
export interface WsConnectFailure {
  /** `blocked_address`: the destination is refused by address; `network`: anything else. */
  readonly failure: 'blocked_address' | 'network';
  readonly message: string;
}

/**
 * What a WebSocket backend must provide: starting connections. Synchronous, so `host_ws_request` answers
 * at once (on both lanes); a connection's progress reaches its listener later. A backend refuses
 * destinations it must not reach (private addresses) — by address, at connect time — and follows no
 * redirects.
 */
export interface WsConnector {
  /** Starts a connection, or answers why it cannot start. */
  connect(request: WsConnectRequest, listener: WsConnectionListener): WsConnection | WsConnectFailure;
}
