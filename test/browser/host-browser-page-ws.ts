/// <reference lib="dom" />
// The page's half of the WebSocket tests: connections made by the real browser connector, driven by the
// test (which runs the bundle) and reporting each listener call back to it as a notice. Bundled into
// host-browser-page.ts.
import { createBrowserWsConnector, type BrowserHostOptions } from '@plinth/host-browser';
import type { WsClosed, WsConnection, WsConnectRequest } from '@plinth/host-kit';

/** One listener call of a page connection, as the test hears it. */
export type PageWsNotice = { kind: 'ws'; id: number } & (
  | { event: 'opened' }
  | { event: 'message'; data: string | Uint8Array }
  | { event: 'error'; message: string }
  | ({ event: 'closed' } & WsClosed)
);

/** A guest delivery a composed host in the page made: plugin, export, and text input (bytes as hex). */
export type PageWsDelivery = [pluginId: string, exportName: string, input: string];

const connector = createBrowserWsConnector();
const connections = new Map<number, WsConnection>();
const deliveries = new Map<string, PageWsDelivery[]>();
let lastId = 0;

const hex = (bytes: Uint8Array) => [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');

/** A `deliver` for a composed host: records what would reach the guest, under the host's name. */
export function recordingDeliver(host: string): NonNullable<BrowserHostOptions['deliver']> {
  deliveries.set(host, []);
  return async (pluginId, exportName, input) => {
    const shown = typeof input === 'string' ? input : `hex:${hex(input)}`;
    deliveries.get(host)?.push([pluginId, exportName, shown]);
  };
}

function connection(id: number): WsConnection {
  const found = connections.get(id);
  if (found === undefined) throw new Error(`no page WebSocket connection ${id}`);
  return found;
}

/** The page operations of the WebSocket tests; `notify` sends a notice to the test. */
export function pageWsOperations(notify: (notice: PageWsNotice) => void) {
  return {
    /** Starts a connection: its id, or the connector's failure. */
    wsConnect(request: WsConnectRequest) {
      const id = (lastId += 1);
      const started = connector.connect(request, {
        opened: () => notify({ kind: 'ws', id, event: 'opened' }),
        message: (data) => notify({ kind: 'ws', id, event: 'message', data }),
        error: (message) => notify({ kind: 'ws', id, event: 'error', message }),
        closed: (closed) => {
          connections.delete(id);
          notify({ kind: 'ws', id, event: 'closed', ...closed });
        },
      });
      if ('failure' in started) return started;
      connections.set(id, started);
      return { id };
    },
    wsIsOpen: (id: number) => connections.get(id)?.isOpen() ?? false,
    wsSend: (id: number, data: string | Uint8Array) => connection(id).send(data),
    // After `closed` the connection is gone, and closing it again is nothing.
    wsClose: (id: number) => connections.get(id)?.close(),
    wsTerminate: (id: number) => connections.get(id)?.terminate(),
    /** What the composed host `host` delivered to its guests so far. */
    wsDeliveries: (host: string) => deliveries.get(host) ?? [],
  };
}
