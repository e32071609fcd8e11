import { emitAudit, type AuditSink } from '../audit.js';
import { plainDecision, prepareTarget, syncChecker, type PermissionChecker } from '../checker.js';

export interface AllowAllCheckerOptions {
  audit?: AuditSink;
}

/**
 * Allows every valid target. For trusted contexts only (tests, first-party plugins). Invalid targets —
 * traversal, NUL, absolute paths outside the root — are still denied.
 */
export function createAllowAllChecker(options: AllowAllCheckerOptions = {}): PermissionChecker {
  const { audit } = options;
  return syncChecker((request) => {
    const prepared = prepareTarget(request);
    const decision = prepared.ok
      ? plainDecision(request, prepared.normalized, 'allowed', 'allow_all')
      : prepared.decision;
    return emitAudit(audit, decision);
  });
}
