import type { ResourceLimits } from 'node:worker_threads';
import { defineOptions, functionOption } from '@plinth/protocol';
import { permissionGateOptionsSchema } from '@plinth/host-kit';
import { z } from 'zod';
import { pathOption } from '../shared-options.js';
import type { ReadPluginModule, WasiBundleOptions } from './wasi-bundle.js';

const positiveWhole = z.int().min(1).describe('a positive whole number');
const megabytes = z.number().positive().describe('a positive number of megabytes');

const resourceLimitsSchema = defineOptions<ResourceLimits>()(
  z.strictObject({
    maxYoungGenerationSizeMb: megabytes.optional(),
    maxOldGenerationSizeMb: megabytes.optional(),
    codeRangeSizeMb: megabytes.optional(),
    stackSizeMb: megabytes.optional(),
  }),
);

export const wasiBundleOptionsSchema = defineOptions<WasiBundleOptions>()(
  permissionGateOptionsSchema.extend({
    readModule: functionOption<ReadPluginModule>('a function (pluginId, key) => module bytes'),
    timeoutMs: positiveWhole.optional(),
    memoryMaxPages: z.int().min(1).max(65_536).describe('a whole number of pages from 1 to 65536').optional(),
    maxOutputBytes: positiveWhole.optional(),
    moduleMaxBytes: positiveWhole.optional(),
    tempRoot: pathOption.optional(),
    resourceLimits: resourceLimitsSchema.optional(),
    onTempDir: functionOption().optional(),
  }),
);
