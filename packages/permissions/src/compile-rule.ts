import type { PermissionRule, PermissionType } from '@plinth/protocol';
import type { DecisionRule } from './decision.js';
import { ExactScopeSet } from './exact-scope.js';
import { HostScopeSet } from './host-scope.js';
import { normalizeScope } from './normalize-scope.js';
import { PathScopeSet } from './path-scope.js';
import { isFilePermission } from './permission-kinds.js';

/** Anything that can answer "which scope matches this normalized target". */
export interface ScopeMatcher {
  readonly isEmpty: boolean;
  match(target: string): DecisionRule | undefined;
}

/** One permission rule, ready to match. */
export interface CompiledRule {
  readonly include: ScopeMatcher;
  readonly exclude: ScopeMatcher;
  /** The rule's `quota_bytes`, if set. */
  readonly quotaBytes: number | undefined;
  readonly source: PermissionRule;
}

type Kind = 'include' | 'exclude';
type Warn = (path: readonly (string | number)[], message: string) => void;

interface ScopeSet extends ScopeMatcher {
  addAll(rule: DecisionRule): void;
  add(value: string, rule: DecisionRule): void;
}

function newSet(type: PermissionType, kind: Kind): ScopeSet {
  if (isFilePermission(type)) return new PathScopeSet({ fileParent: true, fold: kind === 'exclude' });
  if (type === 'http_requests') return new HostScopeSet();
  if (type === 'namespaces') return new PathScopeSet({ fileParent: false, fold: false });
  return new ExactScopeSet();
}

/**
 * Reads one scope into a set. A scope that cannot match anything valid is skipped with a warning: every
 * target it could match would itself be refused as invalid, so skipping never widens or narrows access.
 */
function addScope(type: PermissionType, kind: Kind, scope: string, set: ScopeSet, warn: Warn): void {
  const normalized = normalizeScope(type, scope);
  const rule: DecisionRule = Object.freeze({ kind, scope });
  if (normalized.kind === 'all') return set.addAll(rule);
  if (normalized.kind === 'invalid')
    return warn([], `${kind} scope "${scope}" ${normalized.problem}; ignored`);
  if (normalized.note === 'has_path') {
    // A scope names a host. Read a URL-like scope narrowly: an include with a path grants nothing, an
    // exclude with a path excludes the whole host.
    if (kind === 'include')
      return warn([], `include scope "${scope}" has a path; scopes are host names, so it grants nothing`);
    warn([], `exclude scope "${scope}" has a path; the whole host ${normalized.value} is excluded`);
  }
  set.add(normalized.value, rule);
}

/** Compiles one rule; `warn` receives paths relative to the rule. */
export function compileRule(type: PermissionType, source: PermissionRule, warn: Warn): CompiledRule {
  const include = newSet(type, 'include');
  const exclude = newSet(type, 'exclude');
  source.include.forEach((scope, index) =>
    addScope(type, 'include', scope, include, (path, message) => warn(['include', index, ...path], message)),
  );
  source.exclude.forEach((scope, index) =>
    addScope(type, 'exclude', scope, exclude, (path, message) => warn(['exclude', index, ...path], message)),
  );
  if (source.quota_bytes !== undefined && type !== 'plugin_storage') {
    warn(['quota_bytes'], `quota_bytes has no effect on ${type}; it applies to plugin_storage only`);
  }
  return { include, exclude, quotaBytes: source.quota_bytes, source };
}
