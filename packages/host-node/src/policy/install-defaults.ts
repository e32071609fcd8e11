import { applyInstallDefaults, CompiledPolicy, type InstallDefaultsResult } from '@plinth/permissions';
import type { GuestManifest } from '@plinth/protocol';

/**
 * Fills a policy with what an installed plugin's manifest asks for (`requested_permissions.defaults`),
 * never widening a rule the user has set. The document is validated first (a `PolicyError` if it is
 * malformed); save `result.policy` (e.g. with `savePolicyFile`) and show `result.reasons` to the user.
 */
export function applyManifestDefaults(
  policy: unknown,
  manifest: Pick<GuestManifest, 'id' | 'requested_permissions'>,
): InstallDefaultsResult {
  const compiled = CompiledPolicy.compile(policy);
  return applyInstallDefaults(compiled.policy, manifest.id, manifest.requested_permissions);
}
