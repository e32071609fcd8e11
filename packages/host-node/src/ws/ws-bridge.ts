import { createWsBundle, type WsBundle, type WsBundleEvent, type WsBundleOptions } from '@plinth/host-kit';
import { checkOptions } from '@plinth/protocol';
import { createNodeWsConnector, type NodeWsConnectorOptions } from './node-ws-connector.js';
import { wsBridgeOptionsSchema } from './ws-options.js';

/** What `createWsBridge` takes: host-kit's `createWsBundle` options without a connector, plus the Node one's. */
export interface WsBridgeOptions extends Omit<WsBundleOptions, 'connector'>, NodeWsConnectorOptions {}

/** What the bridge did, for logs and tests (host-kit's `WsBundleEvent`). */
export type WsBridgeEvent = WsBundleEvent;

/** The WebSocket bridge: its host function, connection state per plugin, and teardown (host-kit's `WsBundle`). */
export type WsBridge = WsBundle;

/**
 * `host_ws_request` on the `ws` package: host-kit's `createWsBundle` (one connection per plugin, frames
 * delivered in order, reconnect with backoff, `http_requests` at connect and before every reconnect) over
 * `createNodeWsConnector` (private addresses refused by resolved address at connect time).
 */
export function createWsBridge(options: WsBridgeOptions): WsBridge {
  checkOptions('createWsBridge', wsBridgeOptionsSchema, options);
  const { allowPrivateHosts, resolve, ...bundleOptions } = options;
  return createWsBundle({
    ...bundleOptions,
    connector: createNodeWsConnector({ allowPrivateHosts, resolve }),
  });
}
