import type { PermissionType } from '@plinth/protocol';
import { normalizeFilePath } from './file-path.js';
import { normalizeHostPattern } from './http-host.js';
import { normalizeNamespaceKey } from './namespace-key.js';
import { isFilePermission } from './permission-kinds.js';
import { parseScope } from './scope.js';
import { sizeProblem, TARGET_LIMITS } from './target-limits.js';

/** A scope read for its permission type: `all`, a value in the type's normalized form, or why it is unusable. */
export type NormalizedScope =
  | { kind: 'all' }
  | { kind: 'value'; value: string; note?: 'has_path' }
  | { kind: 'invalid'; problem: string };

/**
 * Reads a policy scope the way targets of its type are normalized: file scopes to workspace-relative paths
 * (markdown links use their target; a leading `/` is workspace-relative), host scopes to host names,
 * namespace scopes to keys. `plugin_storage` reads only `all`.
 */
export function normalizeScope(type: PermissionType, scope: string): NormalizedScope {
  const parsed = parseScope(scope);
  if (parsed.kind === 'empty') return { kind: 'invalid', problem: 'is empty' };
  if (parsed.kind === 'all') return parsed;
  const value = parsed.value;
  if (isFilePermission(type)) {
    const path = normalizeFilePath(value);
    return path.ok ? { kind: 'value', value: path.value } : { kind: 'invalid', problem: path.problem };
  }
  switch (type) {
    case 'http_requests': {
      const host = normalizeHostPattern(value);
      if (!host.ok) return { kind: 'invalid', problem: host.problem };
      return host.hadPath === true
        ? { kind: 'value', value: host.value, note: 'has_path' }
        : { kind: 'value', value: host.value };
    }
    case 'namespaces': {
      const key = normalizeNamespaceKey(value);
      return key.ok ? { kind: 'value', value: key.value } : { kind: 'invalid', problem: key.problem };
    }
    case 'plugin_storage':
      return { kind: 'invalid', problem: 'has no effect: plugin_storage rules only read "all"' };
    default: {
      // A longer command scope could only match targets that are refused.
      const problem = sizeProblem(value, TARGET_LIMITS.commandBytes, 'command targets');
      return problem === undefined ? { kind: 'value', value } : { kind: 'invalid', problem };
    }
  }
}
