import type { PermissionType } from '@plinth/protocol';

/** The outcome of a check. `not_configured` means the policy has no rule for it: the host asks or denies. */
export type DecisionOutcome = 'allowed' | 'denied' | 'not_configured';

/** Why a check came out the way it did. A closed set, so hosts can switch over it. */
export type DecisionReason =
  /** An include scope matched (and no exclude did). */
  | 'matched_include'
  /** An exclude scope matched; excludes always win. */
  | 'matched_exclude'
  /**
   * `plugin_storage` with no rule for the plugin: allowed by default (packages/protocol/PROTOCOL.md §5.3
   * rule 1).
   */
  | 'storage_default'
  /** The policy has no entry for the plugin. */
  | 'no_plugin_entry'
  /** The plugin's entry has no rule for this permission type. */
  | 'no_rule'
  /** The rule exists but none of its scopes matched the target. */
  | 'no_matching_scope'
  /** The target is malformed or escapes the workspace (traversal, NUL, absolute path outside the root). */
  | 'invalid_target'
  /** The permission type is not one of the nine. */
  | 'unknown_permission'
  /** The policy source produced a malformed policy; the checker fails closed. */
  | 'invalid_policy'
  /** The deny-all checker decided. */
  | 'deny_all'
  /** The allow-all checker decided. */
  | 'allow_all'
  /** The ask callback answered. */
  | 'ask_allow_once'
  | 'ask_allow_always'
  | 'ask_deny'
  /** The ask callback threw or rejected; treated as deny (not cached). */
  | 'ask_failed'
  /** An earlier answer in this session decided. */
  | 'session_allow'
  | 'session_deny';

/** The rule that decided: an include or exclude scope as written in the policy, or a built-in default. */
export interface DecisionRule {
  kind: 'include' | 'exclude' | 'default';
  scope: string;
}

/** The answer to one permission check. A plain value: safe to log, compare and serialize. */
export interface PermissionDecision {
  allowed: boolean;
  outcome: DecisionOutcome;
  permission: PermissionType;
  pluginId: string;
  /** The target as the caller passed it. */
  target: string;
  /** The target the rules were matched against; `null` when the target is invalid. */
  normalizedTarget: string | null;
  rule?: DecisionRule;
  reason: DecisionReason;
  /** Extra words for logs, e.g. why a target is invalid. Never shown to the guest. */
  detail?: string;
  /** What asked, when the request said (`CheckRequest.via`): e.g. the host function, `host_read_file`. */
  via?: string;
  /** The guest-visible message (packages/protocol/PROTOCOL.md §5.4); empty when allowed. */
  message: string;
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const WITHOUT_CONTROLS = /^[^\0-\x1f\x7f]*$/;

/** Control characters in a target would let a guest forge log lines; the message shows them escaped. */
function displayTarget(raw: string): string {
  const target = typeof raw === 'string' ? raw : String(raw);
  if (WITHOUT_CONTROLS.test(target)) return target; // one native pass for the usual case
  let out: string | undefined;
  for (let i = 0; i < target.length; i++) {
    const code = target.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) {
      out ??= target.slice(0, i);
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else if (out !== undefined) {
      out += target[i];
    }
  }
  return out ?? target;
}

/** The guest-visible message of a denial, with control characters in the target escaped. */
export const deniedMessage = (pluginId: string, type: string, target: string): string =>
  `Permission denied for plugin '${pluginId}': ${type} on '${displayTarget(target)}'`;

/** The message of a not-configured decision: it names the policy key that would settle it. */
export const notConfiguredMessage = (pluginId: string, type: string, target: string): string =>
  `Permission not configured for plugin '${pluginId}': ${type} on '${displayTarget(target)}'. Add plugins.${pluginId}.permissions.${type} to the policy.`;

/** The fields `makeDecision` turns into a `PermissionDecision` (which adds the message). */
export interface DecisionInput {
  outcome: DecisionOutcome;
  permission: PermissionType;
  pluginId: string;
  target: string;
  normalizedTarget: string | null;
  reason: DecisionReason;
  rule?: DecisionRule | undefined;
  detail?: string | undefined;
}

/** Builds a decision, deriving `allowed` and the message from the outcome. */
export function makeDecision(input: DecisionInput): PermissionDecision {
  const { outcome, permission, pluginId, target, normalizedTarget, reason, rule, detail } = input;
  const message =
    outcome === 'allowed'
      ? ''
      : outcome === 'denied'
        ? deniedMessage(pluginId, permission, target)
        : notConfiguredMessage(pluginId, permission, target);
  const decision: PermissionDecision = {
    allowed: outcome === 'allowed',
    outcome,
    permission,
    pluginId,
    target,
    normalizedTarget,
    reason,
    message,
  };
  if (rule !== undefined) decision.rule = rule;
  if (detail !== undefined) decision.detail = detail;
  return decision;
}
