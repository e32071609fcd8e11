import { defineOptions, functionOption } from '@plinth/protocol';
import { z } from 'zod';
import { pathOption } from '../shared-options.js';
import type { PolicyFileSourceOptions } from './policy-file-source.js';
import type { SavePolicyFileOptions } from './save-policy-file.js';

const policyFileSourceOptionsSchema = defineOptions<PolicyFileSourceOptions>()(
  z.strictObject({
    watch: z.boolean().optional(),
    debounceMs: z.number().min(0).describe('a number of milliseconds (0 or more)').optional(),
    onChange: functionOption().optional(),
    onError: functionOption().optional(),
  }),
);

/** `policyFromFile(path, options)` and `policyFromFrontMatter`, checked as one value so each is named. */
export const policySourceArgumentsSchema = defineOptions<{
  path: string;
  options: PolicyFileSourceOptions;
}>()(z.strictObject({ path: pathOption, options: policyFileSourceOptionsSchema }));

/** `savePolicyFile(path, policy, options)`; the policy itself is validated (PolicyFileError) when compiled. */
export const savePolicyArgumentsSchema = defineOptions<{ path: string; options: SavePolicyFileOptions }>()(
  z.strictObject({
    path: pathOption,
    options: z.strictObject({ format: z.enum(['document', 'front-matter']).optional() }),
  }),
);
