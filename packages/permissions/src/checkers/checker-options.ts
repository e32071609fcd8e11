import { functionOption, objectOption } from '@plinth/protocol';
import type { AuditSink } from '../audit.js';
import type { PermissionChecker } from '../checker.js';

/** Option schemas the checker factories share. */
export const auditOption = functionOption<AuditSink>('an AuditSink (a function taking each decision)');

export const checkerOption = objectOption<PermissionChecker>(
  'a PermissionChecker (with check and checkAsync)',
  ['check', 'checkAsync'],
);
