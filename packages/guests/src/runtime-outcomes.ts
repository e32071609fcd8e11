import type { PlinthErrorCode } from '@plinth/protocol';

/**
 * The hostile outcomes of the corpus that the runtime alone decides (loader, lane, protocol layer), and the
 * error code each one fails with on every lane and every host. Outcomes left out are decided by a host's
 * bundles (`denied:*`, `rejected:*`, `scoped:*`, quotas, event rates) or by a lane's own limits
 * (`limit:timeout`, `limit:memory`: a timeout in a worker, fuel in-thread).
 */
export const RUNTIME_OUTCOME_CODES: Readonly<Record<string, PlinthErrorCode>> = Object.freeze({
  'load:unknown_import': 'import_not_allowed',
  'load:forbidden_namespace': 'import_not_allowed',
  'load:invalid_manifest': 'manifest_invalid',
  'load:unsupported_protocol_version': 'incompatible_protocol',
  'load:incompatible_app_version': 'incompatible_host_version',
  'load:id_mismatch': 'id_mismatch',
  'load:manifest_too_large': 'output_too_large',
  'limit:output_size': 'output_too_large',
  'call:trap': 'trap',
  'call:invalid_output': 'invalid_output',
  'call:no_output': 'invalid_output',
});
