import type { PermissionType } from '@plinth/protocol';
import { normalizeFilePath, type NormalizeResult } from './file-path.js';
import { hostOfTarget } from './http-host.js';
import { normalizeNamespaceKey } from './namespace-key.js';
import { isFilePermission } from './permission-kinds.js';
import { sizeProblem, TARGET_LIMITS } from './target-limits.js';

function bounded(target: string, maxBytes: number, what: string): NormalizeResult {
  const problem = sizeProblem(target, maxBytes, what);
  return problem === undefined ? { ok: true, value: target } : { ok: false, problem };
}

/**
 * The form of a target that rules are matched against: a workspace-relative path for file types, a host
 * name for `http_requests`, a namespace key for `namespaces`, and the raw string for `execute_commands`
 * (`<plugin_id>:<command>`) and `plugin_storage` (a key). A refused target is denied outright, including
 * one longer than its `TARGET_LIMITS` bound.
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
    case 'execute_commands':
      return bounded(target, TARGET_LIMITS.commandBytes, 'command targets');
    default:
      return bounded(target, TARGET_LIMITS.keyBytes, 'storage keys');
  }
}
