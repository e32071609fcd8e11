import type { AuditSink, PermissionChecker } from '@plinth/permissions';
import { functionOption, isSemver, objectOption } from '@plinth/protocol';
import type { LaneFactory, PluginRegistry } from '@plinth/runtime';
import { z } from 'zod';

/** Option schemas several host-node factories share. */

export const pathOption = z.string().min(1).describe('a non-empty path');

export const pathListOption = z.array(pathOption).readonly();

export const checkerOption = objectOption<PermissionChecker>(
  'a PermissionChecker (with check and checkAsync)',
  ['check', 'checkAsync'],
);

export const auditOption = functionOption<AuditSink>('an AuditSink (a function taking each decision)');

export const hostAppVersionOption = z
  .string()
  .refine(isSemver, { error: 'a semantic version such as "1.2.3"' })
  .describe('a semantic version such as "1.2.3"');

export const laneFactoryOption = functionOption<LaneFactory>('a lane factory such as createIsolatedLane');

export const registryOption = objectOption<PluginRegistry>('a PluginRegistry', [
  'load',
  'reload',
  'unload',
  'get',
]);

export const hostListOption = z.array(z.string()).readonly();

export const resolveOption = functionOption('a DNS function (hostname) => addresses');
