import {
  PERMISSION_TYPES,
  type PermissionRule,
  type PermissionType,
  type PluginPermissions,
  type Policy,
} from '@plinth/protocol';
import { CompiledPolicy } from './compiled-policy.js';
import { normalizeScope } from './normalize-scope.js';
import { isFilePattern } from './path-scope.js';
import { isFilePermission } from './permission-kinds.js';
import { formatBytes, quotaOfRule } from './quota.js';

/** Options of `describePermissions`, `summarizePermissions` and `summarizePluginPolicy`. */
export interface SummaryOptions {
  /** The host's default storage quota (see `resolveStorageQuota`). */
  hostDefaultBytes?: number;
}

const VERBS: Record<PermissionType, { some: string; any: string }> = {
  read_files: { some: 'read files in', any: 'read any file' },
  edit_files: { some: 'edit files in', any: 'edit any file' },
  create_files: { some: 'create files in', any: 'create files anywhere' },
  delete_files: { some: 'delete files in', any: 'delete any file' },
  move_files: { some: 'move files in', any: 'move any file' },
  http_requests: { some: 'make HTTP requests to', any: 'make HTTP requests to any host' },
  execute_commands: { some: 'run the plugin commands', any: "run any plugin's commands" },
  plugin_storage: { some: 'use plugin storage', any: 'use plugin storage' },
  namespaces: { some: 'use the namespaces', any: 'create and use any namespace' },
};

/** `a`, `a and b`, `a, b and c`. */
export function joinWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] as string}`;
}

/**
 * How a scope reads to a user, showing what it really grants: a folder as `Daily/`, a nested file
 * pattern as its parent folder (`projects/todo.md` grants `projects/`), a root-level file as itself.
 */
function displayScope(type: PermissionType, scope: string): string | undefined {
  const normalized = normalizeScope(type, scope);
  if (normalized.kind !== 'value' || normalized.note === 'has_path') return undefined;
  const value = normalized.value;
  if (!isFilePermission(type) && type !== 'namespaces') return value;
  if (value === '') return 'the whole workspace';
  const slash = value.lastIndexOf('/');
  if (isFilePermission(type) && isFilePattern(value)) return slash > 0 ? `${value.slice(0, slash)}/` : value;
  return `${value}/`;
}

const unique = (items: readonly (string | undefined)[]): string[] => [
  ...new Set(items.filter((item): item is string => item !== undefined)),
];

const hasAll = (type: PermissionType, scopes: readonly string[]): boolean =>
  scopes.some((scope) => normalizeScope(type, scope).kind === 'all');

function describeRule(type: PermissionType, rule: PermissionRule): string | undefined {
  const verbs = VERBS[type];
  if (hasAll(type, rule.exclude)) return undefined;
  const excluded = unique(rule.exclude.map((scope) => displayScope(type, scope)));
  const except = excluded.length > 0 ? ` (except ${joinWords(excluded)})` : '';
  if (hasAll(type, rule.include)) return `${verbs.any}${except}`;
  const included = unique(rule.include.map((scope) => displayScope(type, scope)));
  return included.length > 0 ? `${verbs.some} ${joinWords(included)}${except}` : undefined;
}

/**
 * What a plugin may do, one phrase per permission, for install prompts:
 * `["read files in Daily/ and README.md", "make HTTP requests to api.example.com", "use plugin storage (1 MiB per value)"]`.
 * Storage without a rule is listed, since it is allowed by default.
 */
export function describePermissions(permissions: PluginPermissions, options: SummaryOptions = {}): string[] {
  const phrases: string[] = [];
  for (const type of PERMISSION_TYPES) {
    const rule = permissions[type];
    if (type === 'plugin_storage') {
      // Allowed without a rule (packages/protocol/PROTOCOL.md §5.3 rule 1); with one, only an `all`
      // include grants it.
      if (rule !== undefined && (describeRule(type, rule) === undefined || !hasAll(type, rule.include)))
        continue;
      const quota = quotaOfRule(rule, options.hostDefaultBytes);
      phrases.push(
        `use plugin storage (${quota.bytes === 0 ? 'no size limit' : `${formatBytes(quota.bytes)} per value`})`,
      );
      continue;
    }
    if (rule === undefined) continue;
    const phrase = describeRule(type, rule);
    if (phrase !== undefined) phrases.push(phrase);
  }
  return phrases;
}

/** The phrases of `describePermissions` in one line; `nothing that needs a permission` when empty. */
export function summarizePermissions(permissions: PluginPermissions, options: SummaryOptions = {}): string {
  const phrases = describePermissions(permissions, options);
  return phrases.length === 0 ? 'nothing that needs a permission' : phrases.join(', ');
}

/**
 * `summarizePermissions` for one plugin of a policy (a document, a typed `Policy` or a `CompiledPolicy`).
 * Throws `PolicyError` for a malformed document.
 */
export function summarizePluginPolicy(
  policy: Policy | CompiledPolicy | unknown,
  pluginId: string,
  options: SummaryOptions = {},
): string {
  return summarizePermissions(
    CompiledPolicy.compile(policy).policy.plugins[pluginId]?.permissions ?? {},
    options,
  );
}
