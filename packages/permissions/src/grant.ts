import { NAMESPACE_WIDE_TARGET, SCOPE_ALL, type PermissionType, type Policy } from '@plinth/protocol';

/** One scope granted to one plugin for one permission type. */
export interface PermissionGrant {
  pluginId: string;
  permission: PermissionType;
  scope: string;
}

/**
 * The scope that grants a normalized target: the target itself, except where only `all` can grant it
 * (storage keys, the workspace root, namespace-wide operations).
 */
export function grantScopeFor(type: PermissionType, normalizedTarget: string): string {
  if (type === 'plugin_storage' || normalizedTarget === '') return SCOPE_ALL;
  if (type === 'namespaces' && normalizedTarget === NAMESPACE_WIDE_TARGET) return SCOPE_ALL;
  return normalizedTarget;
}

/**
 * A new policy with the scope added to the plugin's include list for the type (creating the entry and the
 * rule as needed). The input is not modified. Hosts persist "allow always" answers with it.
 */
export function addGrant(policy: Policy, grant: PermissionGrant): Policy {
  const { pluginId, permission, scope } = grant;
  const entry = policy.plugins[pluginId] ?? { permissions: {} };
  const rule = entry.permissions[permission] ?? { include: [], exclude: [] };
  if (rule.include.includes(scope)) return policy;
  return {
    ...policy,
    plugins: {
      ...policy.plugins,
      [pluginId]: {
        ...entry,
        permissions: { ...entry.permissions, [permission]: { ...rule, include: [...rule.include, scope] } },
      },
    },
  };
}

/** What `removeGrant` takes away: one scope, or (without `scope`) the plugin's whole rule for the type. */
export interface RevokedGrant {
  pluginId: string;
  permission: PermissionType;
  scope?: string | undefined;
}

/**
 * A new policy without the scope in the plugin's include list for the type, or without the whole rule when
 * no scope is given; the policy itself when there was nothing to remove. Excludes are kept. The input is
 * not modified. The inverse of `addGrant`, for hosts that revoke.
 */
export function removeGrant(policy: Policy, revoked: RevokedGrant): Policy {
  const { pluginId, permission, scope } = revoked;
  const entry = policy.plugins[pluginId];
  const rule = entry?.permissions[permission];
  if (entry === undefined || rule === undefined) return policy;
  const permissions = { ...entry.permissions };
  if (scope === undefined) {
    delete permissions[permission];
  } else {
    if (!rule.include.includes(scope)) return policy;
    permissions[permission] = { ...rule, include: rule.include.filter((item) => item !== scope) };
  }
  return { ...policy, plugins: { ...policy.plugins, [pluginId]: { ...entry, permissions } } };
}
