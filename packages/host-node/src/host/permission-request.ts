import { applyInstallDefaults, describePermissions } from '@plinth/permissions';
import type {
  GuestManifest,
  PermissionRule,
  PermissionType,
  PluginPermissions,
  Policy,
} from '@plinth/protocol';
import type { NodeHostPermissionRequest } from './node-host-types.js';

/**
 * What a plugin's manifest asks for that the policy sets no rule for (the rules consent would add), or
 * undefined when nothing is missing.
 */
export function permissionRequest(
  manifest: Pick<GuestManifest, 'id' | 'version' | 'name' | 'requested_permissions'>,
  policy: Policy,
): NodeHostPermissionRequest | undefined {
  const requested = manifest.requested_permissions;
  const { added } = applyInstallDefaults(policy, manifest.id, requested);
  if (requested === undefined || added.length === 0) return undefined;
  const permissions: PluginPermissions = {};
  const asks: NodeHostPermissionRequest['asks'] = [];
  for (const type of added) {
    const rule = requested.defaults[type];
    if (rule === undefined) continue;
    permissions[type] = rule;
    const reason = requested.reasons[type];
    asks.push({ permission: type, description: describeRule(type, rule), ...(reason ? { reason } : {}) });
  }
  return { pluginId: manifest.id, version: manifest.version, name: manifest.name, permissions, asks };
}

// describePermissions always lists plugin storage (allowed without a rule); only a request for it is news.
const BASELINE = new Set(describePermissions({}));

function describeRule(type: PermissionType, rule: PermissionRule): string {
  const phrases = describePermissions({ [type]: rule });
  const phrase = phrases.find((text) => type === 'plugin_storage' || !BASELINE.has(text));
  return phrase ?? `${type} on ${rule.include.map((scope) => JSON.stringify(scope)).join(', ') || 'nothing'}`;
}
