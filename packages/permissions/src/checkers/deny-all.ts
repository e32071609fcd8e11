import { checkOptions, defineOptions } from '@plinth/protocol';
import { z } from 'zod';
import { emitAudit, type AuditSink } from '../audit.js';
import { plainDecision, prepareTarget, syncChecker, type PermissionChecker } from '../checker.js';
import { auditOption } from './checker-options.js';

/** Options of `createDenyAllChecker`. */
export interface DenyAllCheckerOptions {
  audit?: AuditSink;
}

const optionsSchema = defineOptions<DenyAllCheckerOptions>()(
  z.strictObject({ audit: auditOption.optional() }),
);

/** Denies everything. The checker a host uses when none is configured. */
export function createDenyAllChecker(options: DenyAllCheckerOptions = {}): PermissionChecker {
  checkOptions('createDenyAllChecker', optionsSchema, options);
  const { audit } = options;
  return syncChecker((request) => {
    const prepared = prepareTarget(request);
    const decision = prepared.ok
      ? plainDecision(request, prepared.normalized, 'denied', 'deny_all')
      : prepared.decision;
    return emitAudit(audit, decision);
  });
}
