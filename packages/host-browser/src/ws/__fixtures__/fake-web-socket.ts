// An in-memory stand-in for the browser's WebSocket, for the connector's unit tests (Node 20 has no global
// WebSocket): it records what the connector does to it, and the test plays the network with its methods.

/** A close the connector started: the code and reason it passed (none for a plain `close()`). */
export interface FakeClose {
  code?: number;
  reason?: string;
}

export class FakeWebSocket {
  /** Every socket constructed so far, oldest first. */
  static readonly made: FakeWebSocket[] = [];

  readonly url: string;
  binaryType: BinaryType = 'blob';
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  readonly sent: (string | Uint8Array)[] = [];
  readonly closes: FakeClose[] = [];

  constructor(url: string) {
    if (url.includes(':25/')) throw new SyntaxError('The port 25 is not allowed.');
    this.url = url;
    FakeWebSocket.made.push(this);
  }

  send(data: string | Uint8Array): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: not open');
    this.sent.push(typeof data === 'string' ? data : new Uint8Array(data));
  }

  close(code?: number, reason?: string): void {
    this.closes.push({
      ...(code === undefined ? {} : { code }),
      ...(reason === undefined ? {} : { reason }),
    });
    if (this.readyState < 2) this.readyState = 2;
  }

  /** The network: the handshake succeeded. */
  serverOpens(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  /** The network: a frame arrived, as the browser hands it over with binaryType 'arraybuffer'. */
  serverSends(data: string | Uint8Array): void {
    const payload = typeof data === 'string' ? data : new Uint8Array(data).buffer;
    this.onmessage?.(new MessageEvent('message', { data: payload }));
  }

  /** The network: the connection ended with `code`. */
  serverCloses(code: number): void {
    this.readyState = 3;
    this.onclose?.(
      Object.assign(new Event('close'), { code, reason: '', wasClean: code !== 1006 }) as CloseEvent,
    );
  }

  /** The network: the connection failed (the browser's error event, then close 1006). */
  fails(): void {
    this.onerror?.(new Event('error'));
    this.serverCloses(1006);
  }
}
