import { z } from 'zod';
import { jsonObjectSchema, jsonValueSchema } from '../json.js';
import { definePayload } from '../payload.js';
import { pluginPermissionsSchema } from '../permissions.js';

/** Input of `set_config` and output of `get_config`: a JSON object (`set_config` may receive null). */
export const pluginConfigSchema = jsonObjectSchema.describe('Plugin configuration: a JSON object.');

export const configMigrationSchema = z.object({
  legacy_key: z.string(),
  config_field: z.string(),
  reason: z.string().optional(),
});

export const permissionRequestSchema = z
  .object({
    permissions: pluginPermissionsSchema,
    reasons: z.record(z.string(), z.string()).default({}),
  })
  .describe(
    "Permissions the guest asks for after a config change. Never applied by itself: surfaced to the app and clamped to the manifest's requested_permissions.defaults.",
  );

export type PermissionRequest = z.output<typeof permissionRequestSchema>;

export const configReconcileSchema = z
  .object({
    config: jsonValueSchema.optional().describe('The config as the guest normalized it.'),
    permission_request: permissionRequestSchema.optional(),
    migrations: z.array(configMigrationSchema).optional(),
  })
  .describe('Output of the `set_config` export (an empty output means `{}`).');

export type ConfigReconcile = z.output<typeof configReconcileSchema>;

export const pluginConfigPayload = definePayload({
  name: 'PluginConfig',
  fileName: 'plugin-config',
  description: 'Output of `get_config`; input of `set_config`.',
  schema: pluginConfigSchema,
});

export const configReconcilePayload = definePayload<ConfigReconcile>({
  name: 'ConfigReconcile',
  fileName: 'config-reconcile',
  description: 'Output of the `set_config` export.',
  schema: configReconcileSchema,
  emptyText: {},
});
