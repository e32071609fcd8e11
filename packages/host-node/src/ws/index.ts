// @plinth/host-node/ws: host_ws_request on the `ws` package, with frames delivered to the guest's exports.
export { createWsBridge, type WsBridge, type WsBridgeEvent, type WsBridgeOptions } from './ws-bridge.js';
export { createDeliveryQueue, type DeliverToGuest, type DeliveryQueue } from './delivery-queue.js';
export {
  reconnectDelayMs,
  systemTimers,
  RECONNECT_BASE_MS,
  RECONNECT_FACTOR,
  RECONNECT_MAX_MS,
  type ReconnectTimers,
} from './reconnect-backoff.js';
