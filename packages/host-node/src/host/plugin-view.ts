import { describePermissions } from '@plinth/permissions';
import type { Policy } from '@plinth/protocol';
import type { PluginInfo } from '@plinth/runtime';
import type { SignatureStatus } from '@plinth/signing';
import type { NodeHostPlugin } from './node-host-types.js';
import { permissionRequest } from './permission-request.js';
import type { LaneDecision } from './lane-choice.js';

/**
 * A registry entry as an app shows it: what the policy grants, in words, what the manifest asks for, where
 * it runs and who signed it.
 */
export function describePlugin(
  info: PluginInfo,
  policy: Policy,
  lane: LaneDecision | undefined,
  signature: SignatureStatus | undefined,
): NodeHostPlugin {
  return {
    ...info,
    lane,
    signature,
    permissionSummary: describePermissions(policy.plugins[info.id]?.permissions ?? {}),
    requestedPermissions: info.manifest?.requested_permissions,
    notGranted: info.manifest && permissionRequest(info.manifest, policy),
  };
}
