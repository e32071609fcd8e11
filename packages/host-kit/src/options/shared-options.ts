import type { AuditSink, PermissionChecker } from '@plinth/permissions';
import { functionOption, HOST_FUNCTION_NAMES, objectOption } from '@plinth/protocol';
import { z } from 'zod';

// Option schemas the bundles share, exported for adapters whose options extend them.

/** Any PermissionChecker: an object with `check` and `checkAsync`. */
export const checkerOption = objectOption<PermissionChecker>(
  'a PermissionChecker (with check and checkAsync)',
  ['check', 'checkAsync'],
);

/** Any AuditSink: a function that takes each decision. */
export const auditOption = functionOption<AuditSink>('an AuditSink (a function taking each decision)');

/**
 * A HostBundle. Keys are catalogue names (a misspelt one would otherwise become a silent stub), values
 * handlers.
 */
export const bundleOption = z
  .partialRecord(z.enum(HOST_FUNCTION_NAMES), functionOption('a host-function handler').optional())
  .describe('a HostBundle (host-function handlers by catalogue name)');

/** A positive number. */
export const positiveNumberOption = z.number().positive().describe('a positive number');
