import {
  NAMESPACE_WIDE_TARGET,
  PERMISSION_TYPES,
  policyPayload,
  type PermissionRule,
  type PermissionType,
  type Policy,
  type ProtocolWarning,
} from '@plinth/protocol';
import { compileRule, type CompiledRule } from './compile-rule.js';
import type { DecisionOutcome, DecisionReason, DecisionRule } from './decision.js';
import { PolicyError } from './policy-error.js';
import { isAllScope } from './scope.js';

/** What the rules say about one normalized target, before a checker turns it into a decision. */
export interface Resolution {
  outcome: DecisionOutcome;
  reason: DecisionReason;
  rule?: DecisionRule;
}

type PluginRules = Partial<Record<PermissionType, CompiledRule>>;

const STORAGE_DEFAULT_RULE: DecisionRule = Object.freeze({ kind: 'default', scope: 'all' });
const freeze = (resolution: Resolution): Resolution => Object.freeze(resolution);
const STORAGE_DEFAULT = freeze({ outcome: 'allowed', reason: 'storage_default', rule: STORAGE_DEFAULT_RULE });
const NO_PLUGIN = freeze({ outcome: 'not_configured', reason: 'no_plugin_entry' });
const NO_RULE = freeze({ outcome: 'not_configured', reason: 'no_rule' });
const NO_MATCH = freeze({ outcome: 'not_configured', reason: 'no_matching_scope' });

/**
 * A validated policy compiled into per-plugin, per-type matchers, so a check is a few map lookups.
 * Immutable: compile a new one when the policy changes.
 */
export class CompiledPolicy {
  private constructor(
    /** The validated policy (schema defaults applied). */
    readonly policy: Policy,
    /** Things that did not stop the policy from loading: unknown types, scopes that can match nothing. */
    readonly warnings: readonly ProtocolWarning[],
    private readonly plugins: ReadonlyMap<string, PluginRules>,
  ) {}

  /**
   * Validates a policy document (a decoded JSON/YAML value, or an already-typed `Policy`) against the
   * protocol's policy schema and compiles it. Throws `PolicyError` naming the plugin and permission.
   */
  static compile(document: unknown): CompiledPolicy {
    if (document instanceof CompiledPolicy) return document;
    const parsed = policyPayload.parse(document);
    if (!parsed.ok) throw new PolicyError({ issues: parsed.error.issues, cause: parsed.error });
    const warnings: ProtocolWarning[] = [...parsed.warnings];
    const plugins = new Map<string, PluginRules>();
    for (const [pluginId, entry] of Object.entries(parsed.value.plugins)) {
      const rules: PluginRules = {};
      for (const type of PERMISSION_TYPES) {
        const rule = entry.permissions[type];
        if (rule === undefined) continue;
        const base = ['plugins', pluginId, 'permissions', type];
        rules[type] = compileRule(type, rule, (path, message) =>
          warnings.push({ path: [...base, ...path], message }),
        );
      }
      plugins.set(pluginId, rules);
    }
    return new CompiledPolicy(parsed.value, warnings, plugins);
  }

  /** The plugin's rule for a type as written (schema defaults applied), if any. */
  rule(pluginId: string, type: PermissionType): PermissionRule | undefined {
    return this.plugins.get(pluginId)?.[type]?.source;
  }

  /** Whether the policy has an entry for the plugin at all (an empty one counts). */
  hasPlugin(pluginId: string): boolean {
    return this.plugins.has(pluginId);
  }

  /** Applies packages/protocol/PROTOCOL.md §5.3 to a target already normalized for its type. */
  resolve(pluginId: string, type: PermissionType, normalizedTarget: string): Resolution {
    const plugin = this.plugins.get(pluginId);
    const rule = plugin?.[type];
    if (type === 'plugin_storage') {
      // Rule 1: storage is allowed without a rule; with one, only `all` counts, and exclude wins.
      if (rule === undefined) return STORAGE_DEFAULT;
      const excluded = rule.exclude.match(normalizedTarget);
      if (excluded !== undefined) return { outcome: 'denied', reason: 'matched_exclude', rule: excluded };
      const included = rule.include.match(normalizedTarget);
      return included === undefined
        ? NO_MATCH
        : { outcome: 'allowed', reason: 'matched_include', rule: included };
    }
    if (plugin === undefined) return NO_PLUGIN;
    if (rule === undefined) return NO_RULE;
    const excluded = rule.exclude.match(normalizedTarget);
    if (excluded !== undefined) return { outcome: 'denied', reason: 'matched_exclude', rule: excluded };
    const included = rule.include.match(normalizedTarget);
    if (included === undefined) return NO_MATCH;
    // Namespace-wide operations target "*", which only an `all` include grants (never a scope named "*").
    if (type === 'namespaces' && normalizedTarget === NAMESPACE_WIDE_TARGET && !isAllScope(included.scope)) {
      return NO_MATCH;
    }
    return { outcome: 'allowed', reason: 'matched_include', rule: included };
  }
}
