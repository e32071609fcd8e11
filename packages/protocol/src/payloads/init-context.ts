import { z } from 'zod';
import { definePayload } from '../payload.js';

/**
 * Input of `init`. Hosts may add keys (`workspace_id`, `server_url`, …); guests ignore keys they do not
 * know, so the schema keeps extra keys rather than stripping them. Never put secrets here unless the
 * embedding app explicitly configures that.
 */
export const initContextSchema = z
  .looseObject({
    workspace_root: z.string().nullable().describe('Absolute workspace root, or null when none is open.'),
    workspace_id: z.string().optional(),
    server_url: z.string().optional(),
  })
  .describe('Input of the `init` export.');

/** The input of the `init` export, extra host keys included. */
export type InitContext = z.output<typeof initContextSchema>;

/** The `init` input payload. */
export const initContextPayload = definePayload<InitContext>({
  name: 'InitContext',
  fileName: 'init-context',
  description: 'Input of the `init` export.',
  schema: initContextSchema,
});
