import { checkOptions, defineOptions } from '@plinth/protocol';
import { z } from 'zod';
import { emitAudit, type AuditSink } from '../audit.js';
import { plainDecision, prepareTarget, syncChecker, type PermissionChecker } from '../checker.js';
import { auditOption } from './checker-options.js';

/** Options of `createAllowAllChecker`. */
export interface AllowAllCheckerOptions {
  audit?: AuditSink;
}

const optionsSchema = defineOptions<AllowAllCheckerOptions>()(
  z.strictObject({ audit: auditOption.optional() }),
);

/**
 * Allows every valid target. For trusted contexts only (tests, first-party plugins). Invalid targets —
 * traversal, NUL, absolute paths outside the root — are still denied.
 */
export function createAllowAllChecker(options: AllowAllCheckerOptions = {}): PermissionChecker {
  checkOptions('createAllowAllChecker', optionsSchema, options);
  const { audit } = options;
  return syncChecker((request) => {
    const prepared = prepareTarget(request);
    const decision = prepared.ok
      ? plainDecision(request, prepared.normalized, 'allowed', 'allow_all')
      : prepared.decision;
    return emitAudit(audit, decision);
  });
}
