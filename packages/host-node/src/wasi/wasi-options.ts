import type { ResourceLimits } from 'node:worker_threads';
import { defineOptions, functionOption } from '@plinth/protocol';
import { wasiBundleOptionsSchema as kitWasiBundleOptionsSchema } from '@plinth/host-kit';
import { z } from 'zod';
import { pathOption } from '../shared-options.js';
import type { NodeWasiRunnerOptions } from './run-wasi-module.js';
import type { WasiBundleOptions } from './wasi-bundle.js';

const megabytes = z.number().positive().describe('a positive number of megabytes');

const resourceLimitsSchema = defineOptions<ResourceLimits>()(
  z.strictObject({
    maxYoungGenerationSizeMb: megabytes.optional(),
    maxOldGenerationSizeMb: megabytes.optional(),
    codeRangeSizeMb: megabytes.optional(),
    stackSizeMb: megabytes.optional(),
  }),
);

const nodeRunnerShape = {
  tempRoot: pathOption.optional(),
  resourceLimits: resourceLimitsSchema.optional(),
  onTempDir: functionOption().optional(),
};

export const nodeWasiRunnerOptionsSchema = defineOptions<NodeWasiRunnerOptions>()(
  z.strictObject(nodeRunnerShape),
);

export const wasiBundleOptionsSchema = defineOptions<WasiBundleOptions>()(
  kitWasiBundleOptionsSchema.omit({ runner: true }).extend(nodeRunnerShape),
);
