import { emitAudit, type AuditSink } from '../audit.js';
import { plainDecision, prepareTarget, syncChecker, type PermissionChecker } from '../checker.js';

export interface DenyAllCheckerOptions {
  audit?: AuditSink;
}

/** Denies everything. The checker a host uses when none is configured. */
export function createDenyAllChecker(options: DenyAllCheckerOptions = {}): PermissionChecker {
  const { audit } = options;
  return syncChecker((request) => {
    const prepared = prepareTarget(request);
    const decision = prepared.ok
      ? plainDecision(request, prepared.normalized, 'denied', 'deny_all')
      : prepared.decision;
    return emitAudit(audit, decision);
  });
}
