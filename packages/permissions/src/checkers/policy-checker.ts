import { checkOptions, defineOptions, functionOption } from '@plinth/protocol';
import { z } from 'zod';
import { emitAudit, type AuditSink } from '../audit.js';
import {
  plainDecision,
  prepareTarget,
  syncChecker,
  withVia,
  type CheckRequest,
  type PermissionChecker,
} from '../checker.js';
import type { CompiledPolicy } from '../compiled-policy.js';
import { makeDecision, type PermissionDecision } from '../decision.js';
import type { PolicyError } from '../policy-error.js';
import { policyReader, type PolicySource } from '../policy-source.js';
import { auditOption } from './checker-options.js';

/** Options of `createPolicyChecker`. */
export interface PolicyCheckerOptions {
  /** The policy, or where to read the current one on each check (see `PolicySource`). */
  policy: PolicySource;
  audit?: AuditSink;
  /** Called once for each malformed policy the source produces; meanwhile every check is denied. */
  onPolicyError?: (error: PolicyError) => void;
}

const optionsSchema = defineOptions<PolicyCheckerOptions>()(
  z.strictObject({
    policy: z
      .custom<PolicySource>(
        (value) => (typeof value === 'object' && value !== null) || typeof value === 'function',
      )
      .describe('a policy document, a CompiledPolicy, a PolicyStore or a function returning a policy'),
    audit: auditOption.optional(),
    onPolicyError: functionOption().optional(),
  }),
);

/**
 * Decides by the policy (packages/protocol/PROTOCOL.md §5). "Not configured" is not allowed: wrap this
 * checker in an ask checker to ask the user instead. A malformed policy fails closed: every check is denied
 * with reason `invalid_policy` until the source produces a valid one.
 */
export function createPolicyChecker(options: PolicyCheckerOptions): PermissionChecker {
  checkOptions('createPolicyChecker', optionsSchema, options);
  const { audit, onPolicyError } = options;
  const read = policyReader(options.policy);
  let reportedError: PolicyError | undefined;

  const decide = (request: CheckRequest, policy: CompiledPolicy | PolicyError): PermissionDecision => {
    const prepared = prepareTarget(request);
    if (!prepared.ok) return prepared.decision;
    if (!('resolve' in policy)) {
      if (policy !== reportedError) {
        reportedError = policy;
        onPolicyError?.(policy);
      }
      return plainDecision(request, prepared.normalized, 'denied', 'invalid_policy', policy.message);
    }
    const resolution = policy.resolve(request.pluginId, request.type, prepared.normalized);
    return makeDecision({
      outcome: resolution.outcome,
      permission: request.type,
      pluginId: request.pluginId,
      target: request.target,
      normalizedTarget: prepared.normalized,
      reason: resolution.reason,
      rule: resolution.rule,
    });
  };

  return syncChecker((request) => emitAudit(audit, withVia(decide(request, read()), request)));
}
