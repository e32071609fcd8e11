import { describePermissions, permissionRequest } from '@plinth/permissions';
import type { Policy } from '@plinth/protocol';
import type { PluginInfo } from '@plinth/runtime';
import type { SignatureStatus } from '@plinth/signing';
import type { NodeHostPlugin } from './node-host-types.js';
import type { LaneDecision } from './lane-choice.js';

/** What the host recorded when a plugin's running instance opened. */
export interface OpenedModule {
  signature: SignatureStatus;
  sha256: string;
}

/**
 * A registry entry as an app shows it: what the policy grants, in words, what the manifest asks for, where
 * it runs, who signed it and which module it runs.
 */
export function describePlugin(
  info: PluginInfo,
  policy: Policy,
  lane: LaneDecision | undefined,
  opened: OpenedModule | undefined,
): NodeHostPlugin {
  return {
    ...info,
    lane,
    signature: opened?.signature,
    sha256: opened?.sha256,
    permissionSummary: describePermissions(policy.plugins[info.id]?.permissions ?? {}),
    requestedPermissions: info.manifest?.requested_permissions,
    notGranted: info.manifest && permissionRequest(info.manifest, policy),
  };
}
