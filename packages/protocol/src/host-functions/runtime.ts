import { z } from 'zod';
import { jsonValueSchema } from '../json.js';
import { defineHostFunction } from './define.js';
import { base64Field, emptyText } from './shared-schemas.js';

/** The most nested `host_plugin_command` calls in one chain. */
export const MAX_PLUGIN_COMMAND_DEPTH = 8;

/** The levels `host_log` knows, most severe first. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;
/** A `host_log` level; an unknown level logs as `trace`. */
export type LogLevel = (typeof LOG_LEVELS)[number];

export const hostLog = defineHostFunction({
  name: 'host_log',
  set: 'required',
  capability: 'basics',
  summary: 'Write a line to the host log.',
  request: z.object({
    level: z
      .string()
      .default('info')
      .describe(`One of ${LOG_LEVELS.join(', ')}; anything else logs as trace.`),
    message: z.string(),
  }),
  success: { kind: 'text', schema: emptyText, description: '""' },
  failure: 'S',
  permission: null,
  rateLimited: true,
});

export const hostEmitEvent = defineHostFunction({
  name: 'host_emit_event',
  set: 'required',
  capability: 'basics',
  summary: "Emit an event onto the host's event bus.",
  request: jsonValueSchema,
  success: { kind: 'text', schema: emptyText, description: '""' },
  failure: 'S',
  permission: null,
  rateLimited: true,
});

export const hostGetRuntimeContext = defineHostFunction({
  name: 'host_get_runtime_context',
  set: 'required',
  capability: 'basics',
  summary: "The embedding app's runtime context for this plugin (secrets redacted).",
  request: null,
  success: {
    kind: 'json',
    schema: z.record(z.string(), jsonValueSchema),
    description: 'JSON object (`{}` by default)',
  },
  failure: 'none',
  quiet: '{}',
  permission: null,
});

export const hostGetTimestamp = defineHostFunction({
  name: 'host_get_timestamp',
  set: 'required',
  capability: 'basics',
  summary: 'Current time in milliseconds since the epoch.',
  request: null,
  success: { kind: 'text', schema: z.string().regex(/^[0-9]+$/), description: 'decimal string' },
  failure: 'none',
  quiet: '0',
  permission: null,
});

/** RFC 3339 with seconds and a numeric offset (never `Z`), e.g. `2026-03-02T09:15:00+01:00`. */
export const LOCAL_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

export const hostGetNow = defineHostFunction({
  name: 'host_get_now',
  set: 'required',
  capability: 'basics',
  summary: 'Current local time, RFC 3339 with seconds and a numeric offset.',
  request: null,
  success: {
    kind: 'text',
    schema: z.string().regex(LOCAL_TIME_PATTERN),
    description: 'e.g. `2026-03-02T09:15:00+01:00`',
  },
  failure: 'none',
  quiet: '',
  permission: null,
});

export const hostIsCancelled = defineHostFunction({
  name: 'host_is_cancelled',
  set: 'extended',
  capability: 'basics',
  summary: 'Whether the caller cancelled the operation a token names.',
  request: z.object({ token: z.string() }),
  success: { kind: 'json', schema: z.object({ cancelled: z.boolean() }), description: '`{cancelled}`' },
  failure: 'none',
  quiet: JSON.stringify({ cancelled: false }),
  permission: null,
});

export const hostPluginCommand = defineHostFunction({
  name: 'host_plugin_command',
  set: 'required',
  capability: 'plugins',
  summary: `Run another plugin's command (depth ≤ ${MAX_PLUGIN_COMMAND_DEPTH}; never the caller itself).`,
  request: z.object({
    plugin_id: z.string().min(1, { error: 'plugin_id is required' }),
    command: z.string().min(1, { error: 'command is required' }),
    params: jsonValueSchema.nullable().default(null),
  }),
  success: {
    kind: 'json',
    schema: z.object({ success: z.literal(true), data: jsonValueSchema.optional() }),
    description: '`{success: true, data}`',
  },
  failure: 'P',
  permission: {
    types: ['execute_commands'],
    rule: 'execute_commands on "<plugin_id>:<command>"',
    target: (request) => `${request.plugin_id}:${request.command}`,
  },
});

export const hostRunWasiModule = defineHostFunction({
  name: 'host_run_wasi_module',
  set: 'required',
  capability: 'wasi',
  summary: "Run a WASI command module stored in the plugin's storage, in a temp directory.",
  request: z.object({
    module_key: z.string().min(1),
    args: z.array(z.string()).default([]),
    stdin: base64Field.optional(),
    files: z.record(z.string(), base64Field).optional().describe('Input files: path → base64.'),
    output_files: z.array(z.string()).optional().describe('Paths to read back after the run.'),
  }),
  success: {
    kind: 'json',
    schema: z.object({
      exit_code: z.number().int(),
      stdout: z.string().describe('base64'),
      stderr: z.string(),
      files: z.record(z.string(), z.string()).optional().describe('Output files that exist: path → base64.'),
    }),
    description: '`{exit_code, stdout: base64, stderr, files?}`',
  },
  failure: 'W',
  permission: {
    types: ['plugin_storage'],
    rule: 'plugin_storage on module_key (the module bytes come from the plugin storage)',
    target: (request) => request.module_key,
  },
});
