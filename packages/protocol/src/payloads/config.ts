import { z } from 'zod';
import { jsonObjectSchema, jsonValueSchema } from '../json.js';
import { definePayload } from '../payload.js';
import { pluginPermissionsSchema } from '../permissions.js';

/** Input of `set_config` and output of `get_config`: a JSON object (`set_config` may receive null). */
export const pluginConfigSchema = jsonObjectSchema.describe('Plugin configuration: a JSON object.');

/** One legacy setting the guest moved into its config while reconciling. */
export const configMigrationSchema = z.object({
  legacy_key: z.string(),
  config_field: z.string(),
  reason: z.string().optional(),
});

/**
 * The `permission_request` of a `set_config` output: permissions asked for after a config change, with
 * reasons.
 */
export const permissionRequestSchema = z
  .object({
    permissions: pluginPermissionsSchema,
    reasons: z.record(z.string(), z.string()).default({}),
  })
  .describe(
    "Permissions the guest asks for after a config change. Never applied by itself: surfaced to the app and clamped to the manifest's requested_permissions.defaults.",
  );

/** Permissions a guest asks for after a config change; never granted without the app. */
export type PermissionRequest = z.output<typeof permissionRequestSchema>;

/** The wire schema of a `set_config` output. */
export const configReconcileSchema = z
  .object({
    config: jsonValueSchema.optional().describe('The config as the guest normalized it.'),
    permission_request: permissionRequestSchema.optional(),
    migrations: z.array(configMigrationSchema).optional(),
  })
  .describe('Output of the `set_config` export (an empty output means `{}`).');

/** A `set_config` output: the normalized config, a permission request and migrations, all optional. */
export type ConfigReconcile = z.output<typeof configReconcileSchema>;

/** The plugin config payload: the output of `get_config` and input of `set_config`. */
export const pluginConfigPayload = definePayload({
  name: 'PluginConfig',
  fileName: 'plugin-config',
  description: 'Output of `get_config`; input of `set_config`.',
  schema: pluginConfigSchema,
});

/** The `set_config` output payload; an empty output decodes as `{}`. */
export const configReconcilePayload = definePayload<ConfigReconcile>({
  name: 'ConfigReconcile',
  fileName: 'config-reconcile',
  description: 'Output of the `set_config` export.',
  schema: configReconcileSchema,
  emptyText: {},
});
