export * from './errors/plinth-error.js';
export * from './errors/protocol-error.js';
export * from './errors/options.js';
export * from './json.js';
export {
  MAX_JSON_DEPTH,
  assertJsonDepth,
  findJsonDepthProblem,
  findJsonTextDepthProblem,
  parseJsonWithinDepth,
  type JsonDepthOptions,
  type JsonDepthProblem,
  type JsonTextDepthProblem,
  type JsonValueDepthProblem,
} from './json-depth.js';
export * from './payload.js';
export * from './version.js';
export * from './exports.js';
export * from './permissions.js';
export * from './trust.js';
export * from './payloads/manifest.js';
export * from './payloads/contributions.js';
export * from './payloads/init-context.js';
export * from './payloads/events.js';
export * from './payloads/commands.js';
export * from './payloads/config.js';
export * from './payloads/policy.js';
export * from './payloads/all.js';
export * from './host-functions/failure-shapes.js';
export * from './host-functions/define.js';
export * from './host-functions/shared-schemas.js';
export * from './host-functions/catalogue.js';
export { HTTP_TIMEOUT_MS, httpResponse, wsRequest } from './host-functions/http.js';
export {
  MAX_PLUGIN_COMMAND_DEPTH,
  LOG_LEVELS,
  LOCAL_TIME_PATTERN,
  type LogLevel,
} from './host-functions/runtime.js';
export {
  NAMESPACE_WIDE_TARGET,
  namespaceInfo,
  namespaceObjectInfo,
  batchObjectsResponse,
} from './host-functions/namespaces.js';
export { fileMetadataResponse } from './host-functions/files.js';
