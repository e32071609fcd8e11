import {
  PERMISSION_TYPES,
  STORAGE_QUOTA,
  type PermissionRequest,
  type PermissionRule,
  type PermissionType,
  type PluginPermissions,
} from '@plinth/protocol';
import { compileRule, type CompiledRule } from './compile-rule.js';
import { normalizeScope } from './normalize-scope.js';
import { isFilePattern } from './path-scope.js';
import { isFilePermission } from './permission-kinds.js';
import { isAllScope } from './scope.js';

/** A requested scope the clamp removed, and why. */
export interface DroppedScope {
  permission: PermissionType;
  scope: string;
  why: string;
}

/** What `clampPermissionRequest` returns: the request cut to the ceiling, and the scopes it dropped. */
export interface ClampedRequest {
  /** The request cut down to the ceiling: for the app to show and the user to approve. Never applied here. */
  request: PermissionRequest;
  dropped: DroppedScope[];
  /** Whether the clamp changed anything. */
  clamped: boolean;
}

/** Whether everything `scope` grants is granted by the ceiling's includes (its excludes are carried over). */
function withinCeiling(
  type: PermissionType,
  scope: string,
  ceiling: CompiledRule,
  ceilingAll: boolean,
): string | undefined {
  if (ceilingAll) return undefined;
  const normalized = normalizeScope(type, scope);
  if (normalized.kind === 'all') return 'asks for "all", which the manifest does not';
  if (normalized.kind === 'invalid') return `${normalized.problem}`;
  if (normalized.note === 'has_path') return 'has a path; scopes are host names';
  const value = normalized.value;
  // A nested file pattern also grants its parent folder, so the ceiling must cover the parent.
  const slash = value.lastIndexOf('/');
  const grants =
    isFilePermission(type) && slash > 0 && isFilePattern(value) ? [value, value.slice(0, slash)] : [value];
  for (const granted of grants) {
    if (ceiling.include.match(granted) === undefined)
      return `grants ${granted === '' ? 'the workspace root' : `"${granted}"`}, beyond the manifest's defaults`;
  }
  return undefined;
}

function clampQuota(requested: number | undefined, ceiling: number | undefined): number | undefined {
  if (requested === undefined) return undefined;
  const cap = ceiling ?? STORAGE_QUOTA.defaultBytes;
  if (cap === STORAGE_QUOTA.unlimited) return requested;
  return requested === STORAGE_QUOTA.unlimited ? cap : Math.min(requested, cap);
}

/**
 * Clamps a `permission_request` (from a `set_config` reconcile) to the ceiling of the manifest's
 * `requested_permissions.defaults`: includes the ceiling does not cover are dropped, the ceiling's excludes
 * are added, and a storage quota is cut to the ceiling's (1 MiB when the ceiling sets none). Types the
 * ceiling has no rule for are dropped whole. The result is for the user to approve; nothing is applied.
 */
export function clampPermissionRequest(
  request: PermissionRequest,
  ceiling: PluginPermissions | undefined,
): ClampedRequest {
  const permissions: PluginPermissions = {};
  const reasons: Record<string, string> = {};
  const dropped: DroppedScope[] = [];
  let clamped = false;

  for (const type of PERMISSION_TYPES) {
    const wanted = request.permissions[type];
    if (wanted === undefined) continue;
    const cap = ceiling?.[type];
    if (cap === undefined) {
      for (const scope of wanted.include)
        dropped.push({ permission: type, scope, why: `the manifest requests no ${type}` });
      clamped = true;
      continue;
    }
    const compiled = compileRule(type, cap, () => {});
    const ceilingAll = cap.include.some(isAllScope);
    const include: string[] = [];
    for (const scope of wanted.include) {
      const why = withinCeiling(type, scope, compiled, ceilingAll);
      if (why === undefined) include.push(scope);
      else dropped.push({ permission: type, scope, why });
    }
    const exclude = [...wanted.exclude, ...cap.exclude.filter((scope) => !wanted.exclude.includes(scope))];
    const rule: PermissionRule = { include, exclude };
    const quota = type === 'plugin_storage' ? clampQuota(wanted.quota_bytes, cap.quota_bytes) : undefined;
    if (quota !== undefined) rule.quota_bytes = quota;
    if (
      include.length !== wanted.include.length ||
      exclude.length !== wanted.exclude.length ||
      quota !== wanted.quota_bytes
    ) {
      clamped = true;
    }
    permissions[type] = rule;
    const reason = request.reasons[type];
    if (reason !== undefined) reasons[type] = reason;
  }
  return { request: { permissions, reasons }, dropped, clamped };
}
