import type { ResourceLimits } from 'node:worker_threads';
import { defineOptions } from '@plinth/protocol';
import { z } from 'zod';
import { laneOptionsSchema } from '../options/loading-options.js';
import type { IsolatedLaneOptions } from './isolated-lane.js';

const megabytes = z.number().positive().describe('a positive number of megabytes');

const resourceLimitsSchema = defineOptions<ResourceLimits>()(
  z.strictObject({
    maxYoungGenerationSizeMb: megabytes.optional(),
    maxOldGenerationSizeMb: megabytes.optional(),
    codeRangeSizeMb: megabytes.optional(),
    stackSizeMb: megabytes.optional(),
  }),
);

export const isolatedLaneOptionsSchema = defineOptions<IsolatedLaneOptions>()(
  laneOptionsSchema.extend({ resourceLimits: resourceLimitsSchema.optional() }),
);
