import { z } from 'zod';
import { jsonValueSchema } from '../json.js';
import { MAX_JSON_DEPTH } from '../json-depth.js';
import { definePayload } from '../payload.js';

/** The wire schema of a `handle_command` input: a non-empty command name and its JSON params. */
export const commandRequestSchema = z
  .object({
    command: z.string().min(1, { error: 'command must be a non-empty string' }),
    params: jsonValueSchema.nullable().default(null).describe('Command parameters; null when none.'),
  })
  .describe('Input of the `handle_command` export.');

/** A `handle_command` input; `params` is null when none were given. */
export type CommandRequest = z.output<typeof commandRequestSchema>;

/** `error_code` values the host types; any other code is a command error. */
export const TYPED_COMMAND_ERROR_CODES = ['permission_denied', 'config_error'] as const;

/** The wire schema of a `handle_command` output. */
export const commandResponseSchema = z
  .object({
    success: z.boolean(),
    data: jsonValueSchema.optional(),
    error: z.string().optional(),
    error_code: z
      .string()
      .optional()
      .describe('`permission_denied` and `config_error` are typed by the host; others are command errors.'),
  })
  .describe('Output of the `handle_command` export.');

/** A `handle_command` output: `success`, with `data` on success or `error` and `error_code` on failure. */
export type CommandResponse = z.output<typeof commandResponseSchema>;

/** The `handle_command` input payload; `params` may nest a full MAX_JSON_DEPTH levels. */
export const commandRequestPayload = definePayload<CommandRequest>({
  name: 'CommandRequest',
  fileName: 'command-request',
  description: 'Input of the `handle_command` export.',
  schema: commandRequestSchema,
  // params sit one level in: they may use all of MAX_JSON_DEPTH themselves.
  maxDepth: MAX_JSON_DEPTH + 1,
});

/** The `handle_command` output payload; `data` may nest a full MAX_JSON_DEPTH levels. */
export const commandResponsePayload = definePayload<CommandResponse>({
  name: 'CommandResponse',
  fileName: 'command-response',
  description: 'Output of the `handle_command` export.',
  schema: commandResponseSchema,
  // data sits one level in, so a guest can echo params at the limit.
  maxDepth: MAX_JSON_DEPTH + 1,
});
