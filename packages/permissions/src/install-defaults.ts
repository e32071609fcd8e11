import {
  PERMISSION_TYPES,
  type PermissionRule,
  type PermissionType,
  type PluginPermissions,
  type Policy,
  type RequestedPermissions,
} from '@plinth/protocol';

/** What `applyInstallDefaults` returns: the policy, and which permission types it filled in. */
export interface InstallDefaultsResult {
  /** The policy with the defaults filled in; the same object when nothing was added. */
  policy: Policy;
  /** Types whose rule came from the manifest. */
  added: PermissionType[];
  /** Types the manifest asked for but the user had already set; the user's rule was kept as it is. */
  kept: PermissionType[];
  /** Why the plugin wants each added permission, to show the user. */
  reasons: Partial<Record<PermissionType, string>>;
}

const copyRule = (rule: PermissionRule): PermissionRule => ({
  ...rule,
  include: [...rule.include],
  exclude: [...rule.exclude],
});

/**
 * Fills a plugin's unset rules from its manifest's `requested_permissions.defaults`. A rule the user has
 * set is never touched, even when the manifest asks for more (packages/protocol/PROTOCOL.md §5.6). The
 * input is not modified.
 */
export function applyInstallDefaults(
  policy: Policy,
  pluginId: string,
  requested: RequestedPermissions | undefined,
): InstallDefaultsResult {
  const result: InstallDefaultsResult = { policy, added: [], kept: [], reasons: {} };
  if (requested === undefined) return result;
  const entry = policy.plugins[pluginId];
  const current: PluginPermissions = entry?.permissions ?? {};
  const filled: PluginPermissions = { ...current };
  for (const type of PERMISSION_TYPES) {
    const wanted = requested.defaults[type];
    if (wanted === undefined) continue;
    if (current[type] !== undefined) {
      result.kept.push(type);
      continue;
    }
    filled[type] = copyRule(wanted);
    result.added.push(type);
    const reason = requested.reasons[type];
    if (reason !== undefined) result.reasons[type] = reason;
  }
  if (result.added.length === 0) return result;
  result.policy = {
    ...policy,
    plugins: { ...policy.plugins, [pluginId]: { ...(entry ?? {}), permissions: filled } },
  };
  return result;
}
