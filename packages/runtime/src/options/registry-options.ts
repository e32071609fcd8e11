import { defineOptions, functionOption } from '@plinth/protocol';
import { z } from 'zod';
import type { InstancePoolOptions } from '../pool/instance-pool.js';
import type { PoolOptions } from '../pool/pool.js';
import type { FailurePolicy } from '../registry/failure-policy.js';
import type { PluginRegistryOptions } from '../registry/plugin-registry.js';
import type { PooledPluginOptions } from '../registry/pooled-plugin.js';
import { checkerOption, errorContextOption, positiveNumberOption } from './shared-options.js';

/** Option schemas of the registry and the pools. */

const delayMs = z.int().min(0).describe('a whole number of milliseconds (0 or more)');

export const failurePolicySchema = defineOptions<Partial<FailurePolicy>>()(
  z.strictObject({
    maxConsecutiveFailures: z.int().min(1).describe('a positive whole number').optional(),
    action: z.enum(['quarantine', 'keep', 'reload']).optional(),
    backoffMs: delayMs.optional(),
    maxBackoffMs: delayMs.optional(),
  }),
);

export const pluginRegistryOptionsSchema = defineOptions<PluginRegistryOptions>()(
  z.strictObject({
    failurePolicy: failurePolicySchema.optional(),
    permissions: checkerOption.optional(),
    onCall: functionOption().optional(),
    log: functionOption().optional(),
    onChange: functionOption().optional(),
  }),
);

/** `max` below `min` (or below 1) could never serve anything. */
function maxAtLeastMin(context: {
  value: { min?: number | undefined; max?: number | undefined };
  issues: unknown[];
}): void {
  {
    const { min = 1, max } = context.value;
    const floor = Math.max(min, 1);
    if (max !== undefined && max < floor) {
      context.issues.push({
        code: 'custom',
        path: ['max'],
        input: max,
        message: `a whole number of at least max(min, 1) = ${floor}`,
      });
    }
  }
}

const poolShape = {
  create: functionOption(),
  min: z.int().min(0).describe('a whole number (0 or more)').optional(),
  max: z.int().min(1).describe('a positive whole number').optional(),
  acquireTimeoutMs: positiveNumberOption.optional(),
  context: errorContextOption.optional(),
  onError: functionOption().optional(),
  onRecycle: functionOption().optional(),
};

/** The options of a pool of any instance type: the schema cannot know T, so `destroy` takes anything. */
type AnyPoolOptions = Omit<PoolOptions<object>, 'destroy'> & { destroy: (instance: never) => Promise<void> };

export const poolOptionsSchema = defineOptions<AnyPoolOptions>()(
  z
    .strictObject({ ...poolShape, destroy: functionOption(), shouldRecycle: functionOption().optional() })
    .check(maxAtLeastMin),
);

export const instancePoolOptionsSchema = defineOptions<InstancePoolOptions>()(
  z.strictObject(poolShape).check(maxAtLeastMin),
);

export const pooledPluginOptionsSchema = defineOptions<PooledPluginOptions>()(
  z
    .strictObject({
      open: functionOption('a PluginOpener (a function opening one instance)'),
      // The first instance names the plugin, so a pool starts at least one.
      min: z
        .int()
        .min(1)
        .describe('a positive whole number (the first instance names the plugin)')
        .optional(),
      max: poolShape.max,
      acquireTimeoutMs: poolShape.acquireTimeoutMs,
      onError: poolShape.onError,
      onRecycle: poolShape.onRecycle,
      spreadExportCalls: z.boolean().optional(),
    })
    .check(maxAtLeastMin),
);
