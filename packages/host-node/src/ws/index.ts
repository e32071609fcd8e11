// @plinth/host-node/ws: host_ws_request on the `ws` package: host-kit's WebSocket bundle over a Node
// connector, with frames delivered to the guest's exports.
export { createWsBridge, type WsBridge, type WsBridgeEvent, type WsBridgeOptions } from './ws-bridge.js';
export { createNodeWsConnector, type NodeWsConnectorOptions } from './node-ws-connector.js';
export {
  createDeliveryQueue,
  reconnectDelayMs,
  systemTimers,
  RECONNECT_BASE_MS,
  RECONNECT_FACTOR,
  RECONNECT_MAX_MS,
  type DeliverToGuest,
  type DeliveryQueue,
  type ReconnectTimers,
} from '@plinth/host-kit';
