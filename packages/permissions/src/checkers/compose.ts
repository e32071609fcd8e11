import { checkOptions, defineOptions } from '@plinth/protocol';
import { z } from 'zod';
import { emitAudit, type AuditSink } from '../audit.js';
import type { CheckRequest, PermissionChecker } from '../checker.js';
import type { PermissionDecision } from '../decision.js';
import { auditOption, checkerOption } from './checker-options.js';

/** Options of `firstDecisive` and `requireAll`: where the combined decision is audited. */
export interface ComposeOptions {
  audit?: AuditSink;
}

/** Both arguments of `firstDecisive` and `requireAll`, checked as one value so each is named in errors. */
const argumentsSchema = defineOptions<{ checkers: readonly PermissionChecker[]; options: ComposeOptions }>()(
  z.strictObject({
    checkers: z.array(checkerOption).min(1).readonly().describe('a non-empty array of PermissionCheckers'),
    options: z.strictObject({ audit: auditOption.optional() }),
  }),
);

/**
 * A chain: each checker in turn, and the first that is decisive (allowed or denied) decides; if all say
 * "not configured", the last one's decision stands. Use it to put a fixed grant set (say, the host's own
 * plugins) before the user's policy. Give the audit sink to the chain, not to the checkers in it.
 */
export function firstDecisive(
  checkers: readonly PermissionChecker[],
  options: ComposeOptions = {},
): PermissionChecker {
  checkOptions('firstDecisive', argumentsSchema, { checkers, options });
  const { audit } = options;
  return {
    check(request) {
      let decision: PermissionDecision | undefined;
      for (const checker of checkers) {
        decision = checker.check(request);
        if (decision.outcome !== 'not_configured') break;
      }
      return emitAudit(audit, decision as PermissionDecision);
    },
    async checkAsync(request) {
      let decision: PermissionDecision | undefined;
      for (const checker of checkers) {
        decision = await checker.checkAsync(request);
        if (decision.outcome !== 'not_configured') break;
      }
      return emitAudit(audit, decision as PermissionDecision);
    },
  };
}

const severity = { allowed: 0, not_configured: 1, denied: 2 } as const;

/** The strictest of several decisions: any denial, else any "not configured", else the first allowance. */
function strictest(decisions: readonly PermissionDecision[]): PermissionDecision {
  let worst = decisions[0] as PermissionDecision;
  for (const decision of decisions)
    if (severity[decision.outcome] > severity[worst.outcome]) worst = decision;
  return worst;
}

/**
 * An intersection: allowed only if every checker allows. Use it to cap a user's policy with an
 * administrator's ceiling. Every checker is consulted, so each sees (and may audit) the request.
 */
export function requireAll(
  checkers: readonly PermissionChecker[],
  options: ComposeOptions = {},
): PermissionChecker {
  checkOptions('requireAll', argumentsSchema, { checkers, options });
  const { audit } = options;
  return {
    check(request: CheckRequest) {
      const decisions: PermissionDecision[] = [];
      for (const checker of checkers) {
        const decision = checker.check(request);
        decisions.push(decision);
        if (decision.outcome === 'denied') break;
      }
      return emitAudit(audit, strictest(decisions));
    },
    async checkAsync(request: CheckRequest) {
      const decisions: PermissionDecision[] = [];
      // One after another, stopping at a denial: an ask checker later in the list must not prompt in vain.
      for (const checker of checkers) {
        const decision = await checker.checkAsync(request);
        decisions.push(decision);
        if (decision.outcome === 'denied') break;
      }
      return emitAudit(audit, strictest(decisions));
    },
  };
}
