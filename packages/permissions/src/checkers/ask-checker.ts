import { checkOptions, defineOptions, functionOption } from '@plinth/protocol';
import { z } from 'zod';
import { emitAudit, type AuditSink } from '../audit.js';
import type { CheckRequest, PermissionChecker } from '../checker.js';
import { CompiledPolicy } from '../compiled-policy.js';
import {
  makeDecision,
  type DecisionReason,
  type DecisionRule,
  type PermissionDecision,
} from '../decision.js';
import { addGrant, grantScopeFor, type PermissionGrant } from '../grant.js';
import { auditOption, checkerOption } from './checker-options.js';

/** The user's answer: allow this one call, allow from now on (a grant to persist), or deny for the session. */
export type AskAnswer = 'allow_once' | 'allow_always' | 'deny';

/** What the embedding app shows the user. */
export interface AskPrompt {
  pluginId: string;
  permission: CheckRequest['type'];
  target: string;
  normalizedTarget: string;
  /** What "allow always" would add to the policy. */
  grant: PermissionGrant;
  /** The policy's "not configured" decision that triggered the question. */
  decision: PermissionDecision;
}

/** Options of `createAskChecker`. */
export interface AskCheckerOptions {
  /** Consulted first, usually a policy checker (without its own audit sink). */
  base: PermissionChecker;
  /** Asks the user. A throw or rejection counts as "deny" for this call only. */
  ask: (prompt: AskPrompt) => AskAnswer | Promise<AskAnswer>;
  /**
   * Stores an "allow always" answer, e.g. by writing `addGrant(policy, grant)` back to the policy file.
   * Not awaited: the grant holds for the session at once, and the base checker sees it once persisted.
   */
  persist?: (grant: PermissionGrant) => void | Promise<void>;
  /** Told when `persist` fails; the grant still holds for the session. */
  onPersistError?: (error: unknown, grant: PermissionGrant) => void;
  audit?: AuditSink;
}

const optionsSchema = defineOptions<AskCheckerOptions>()(
  z.strictObject({
    base: checkerOption,
    ask: functionOption('a function asking the user (prompt) => answer'),
    persist: functionOption().optional(),
    onPersistError: functionOption().optional(),
    audit: auditOption.optional(),
  }),
);

export interface AskChecker extends PermissionChecker {
  /** Forgets the session's answers ("allow always" answers already persisted stay in the policy). */
  resetSession(): void;
  /** The grants answered "allow always" in this session. */
  readonly sessionGrants: readonly PermissionGrant[];
}

const keyOf = (pluginId: string, type: string, target: string): string =>
  `${pluginId}\u0000${type}\u0000${target}`;

/**
 * Policy first; for "not configured", asks the embedding app. Answers are cached for the session:
 * "allow always" as a grant (matched like a policy include), "deny" for that exact target; "allow once"
 * is not cached. Concurrent checks of the same target share one question. The synchronous `check`
 * never asks: it answers from the policy and the session cache.
 */
export function createAskChecker(options: AskCheckerOptions): AskChecker {
  checkOptions('createAskChecker', optionsSchema, options);
  const { base, ask, persist, onPersistError, audit } = options;
  let grants: PermissionGrant[] = [];
  let granted = CompiledPolicy.compile({ plugins: {} });
  const denied = new Set<string>();
  const pending = new Map<string, Promise<AskAnswer | undefined>>();

  const finish = (
    from: PermissionDecision,
    allowed: boolean,
    reason: DecisionReason,
    rule?: DecisionRule,
  ): PermissionDecision =>
    makeDecision({
      outcome: allowed ? 'allowed' : 'denied',
      permission: from.permission,
      pluginId: from.pluginId,
      target: from.target,
      normalizedTarget: from.normalizedTarget,
      reason,
      rule,
    });

  /** The session's answer for a "not configured" decision, if it has one. */
  const fromSession = (decision: PermissionDecision): PermissionDecision | undefined => {
    const { pluginId, permission, normalizedTarget } = decision;
    if (normalizedTarget === null) return undefined;
    if (denied.has(keyOf(pluginId, permission, normalizedTarget)))
      return finish(decision, false, 'session_deny');
    if (grants.length === 0) return undefined;
    const resolution = granted.resolve(pluginId, permission, normalizedTarget);
    if (resolution.reason !== 'matched_include') return undefined;
    return finish(decision, true, 'session_allow', resolution.rule);
  };

  const rememberGrant = (grant: PermissionGrant): void => {
    grants = [...grants, grant];
    granted = CompiledPolicy.compile(addGrant(granted.policy, grant));
    if (persist === undefined) return;
    Promise.resolve()
      .then(() => persist(grant))
      .catch((error: unknown) => onPersistError?.(error, grant));
  };

  const question = (prompt: AskPrompt, key: string): Promise<AskAnswer | undefined> => {
    const inFlight = pending.get(key);
    if (inFlight !== undefined) return inFlight;
    const answer = Promise.resolve()
      .then(() => ask(prompt))
      .then(
        (value) =>
          value === 'allow_once' || value === 'allow_always' || value === 'deny' ? value : undefined,
        () => undefined,
      )
      .finally(() => pending.delete(key));
    pending.set(key, answer);
    return answer;
  };

  const askFor = async (decision: PermissionDecision): Promise<PermissionDecision> => {
    const { pluginId, permission, target, normalizedTarget } = decision;
    if (normalizedTarget === null) return decision;
    const grant: PermissionGrant = {
      pluginId,
      permission,
      scope: grantScopeFor(permission, normalizedTarget),
    };
    const key = keyOf(pluginId, permission, normalizedTarget);
    const answer = await question({ pluginId, permission, target, normalizedTarget, grant, decision }, key);
    switch (answer) {
      case 'allow_once':
        return finish(decision, true, 'ask_allow_once');
      case 'allow_always':
        if (
          !grants.some(
            (g) => g.pluginId === pluginId && g.permission === permission && g.scope === grant.scope,
          )
        ) {
          rememberGrant(grant);
        }
        return finish(
          decision,
          true,
          'ask_allow_always',
          Object.freeze({ kind: 'include', scope: grant.scope }),
        );
      case 'deny':
        denied.add(key);
        return finish(decision, false, 'ask_deny');
      default:
        return finish(decision, false, 'ask_failed');
    }
  };

  return {
    check(request) {
      const decision = base.check(request);
      if (decision.outcome !== 'not_configured') return emitAudit(audit, decision);
      return emitAudit(audit, fromSession(decision) ?? decision);
    },
    async checkAsync(request) {
      const decision = await base.checkAsync(request);
      if (decision.outcome !== 'not_configured') return emitAudit(audit, decision);
      return emitAudit(audit, fromSession(decision) ?? (await askFor(decision)));
    },
    resetSession() {
      grants = [];
      granted = CompiledPolicy.compile({ plugins: {} });
      denied.clear();
    },
    get sessionGrants() {
      return grants;
    },
  };
}
