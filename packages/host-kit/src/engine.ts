// @plinth/host-kit/engine: what an engine needs to serve bundles from a guest's imports — per-call state,
// the serving step, host-call records and the call trace host calls join. Not for bundle authors.
export {
  createHostCallState,
  hostCallRecord,
  REDACTED,
  serveHostCall,
  type AnyHostHandler,
  type HostCallCounter,
  type HostCallState,
  type ServeHostCallOptions,
} from './bundle/serve-host-call.js';
export { andThen } from './bundle/permission-gate.js';
export { clampHttpTimeout } from './capabilities/http.js';
export { decodeBase64, encodeBase64 } from './capabilities/base64.js';
export { sanitizeLogText } from './capabilities/basics/sanitize.js';
export { toLogLevel } from './capabilities/basics/log.js';
export * from './telemetry/index.js';
