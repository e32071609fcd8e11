import type {
  GuestManifest,
  PermissionRule,
  PermissionType,
  PluginPermissions,
  Policy,
} from '@plinth/protocol';
import { applyInstallDefaults } from './install-defaults.js';
import { describePermissions } from './summary.js';

/** The permissions a plugin's manifest asks for that the policy does not set yet, for a consent prompt. */
export interface PermissionRequest {
  pluginId: string;
  version: string;
  /** The manifest's display name. */
  name: string;
  /** The rules accepting would add, exactly as the manifest asks for them. */
  permissions: PluginPermissions;
  /** The same rules one by one, for a prompt: in words, with the manifest's reason where it gives one. */
  asks: {
    permission: PermissionType;
    /** What the rule allows (`describePermissions`), e.g. `make HTTP requests to any host`. */
    description: string;
    reason?: string;
  }[];
}

/**
 * What a plugin's manifest asks for that the policy sets no rule for (the rules consent would add), or
 * undefined when nothing is missing. A rule the user set, however narrow, counts as answered.
 */
export function permissionRequest(
  manifest: Pick<GuestManifest, 'id' | 'version' | 'name' | 'requested_permissions'>,
  policy: Policy,
): PermissionRequest | undefined {
  const requested = manifest.requested_permissions;
  const { added } = applyInstallDefaults(policy, manifest.id, requested);
  if (requested === undefined || added.length === 0) return undefined;
  const permissions: PluginPermissions = {};
  const asks: PermissionRequest['asks'] = [];
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
