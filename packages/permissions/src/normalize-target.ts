import type { PermissionType } from '@plinth/protocol';
import { normalizeFilePath, type NormalizeResult } from './file-path.js';
import { hostOfTarget } from './http-host.js';
import { normalizeNamespaceKey } from './namespace-key.js';
import { isFilePermission } from './permission-kinds.js';

/**
 * The form of a target that rules are matched against: a workspace-relative path for file types, a host
 * name for `http_requests`, a namespace key for `namespaces`, and the raw string for `execute_commands`
 * (`<plugin_id>:<command>`) and `plugin_storage` (a key). A refused target is denied outright.
 */
export function normalizeTarget(
  type: PermissionType,
  target: string,
  workspaceRoot?: string,
): NormalizeResult {
  if (typeof target !== 'string') return { ok: false, problem: 'is not a string' };
  if (isFilePermission(type)) return normalizeFilePath(target, workspaceRoot);
  switch (type) {
    case 'http_requests':
      return hostOfTarget(target);
    case 'namespaces':
      return normalizeNamespaceKey(target);
    default:
      return { ok: true, value: target };
  }
}
