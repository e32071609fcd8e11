import { z } from 'zod';
import { jsonObjectSchema } from './json.js';
import { trustPolicySchema } from './trust.js';

/**
 * The nine permission types. The first eight are Diaryx's; `namespaces` is Plinth's addition, gating the
 * `host_namespace_*` object-store functions.
 */
export const PERMISSION_TYPES = [
  'read_files',
  'edit_files',
  'create_files',
  'delete_files',
  'move_files',
  'http_requests',
  'execute_commands',
  'plugin_storage',
  'namespaces',
] as const;

/** One of the nine permission types, e.g. `read_files`. */
export type PermissionType = (typeof PERMISSION_TYPES)[number];

/** Accepts one of PERMISSION_TYPES. */
export const permissionTypeSchema = z.enum(PERMISSION_TYPES);

/** The scope that matches every target of its type. */
export const SCOPE_ALL = 'all';

/** Storage quota bounds, in bytes per written value. `0` means unlimited. */
export const STORAGE_QUOTA = {
  defaultBytes: 1024 * 1024,
  maxBytes: 1024 * 1024 * 1024,
  unlimited: 0,
} as const;

/**
 * One permission rule. A scope is `all`, a plain workspace path (`Daily`, `README.md`), a markdown link whose
 * target is used (`[Todo](/projects/todo.md)`), a host name for `http_requests`, or `<plugin_id>:<command>`
 * for `execute_commands`. Excludes win over includes.
 */
export const permissionRuleSchema = z
  .object({
    include: z.array(z.string()).default([]).describe('Scopes this rule grants.'),
    exclude: z.array(z.string()).default([]).describe('Scopes this rule refuses; always wins over include.'),
    quota_bytes: z
      .number()
      .int()
      .min(0, { error: 'quota_bytes must be 0 (unlimited) or a positive number of bytes' })
      .max(STORAGE_QUOTA.maxBytes, { error: `quota_bytes may be at most ${STORAGE_QUOTA.maxBytes} (1 GiB)` })
      .optional()
      .describe('plugin_storage only: the most bytes one stored value may have; 0 = unlimited.'),
  })
  .describe('A permission rule: include and exclude scopes, and a storage quota.');

/** A permission rule after defaults: `include` and `exclude` are always present. */
export type PermissionRule = z.output<typeof permissionRuleSchema>;

/** The rules for one plugin, one per permission type; a type with no rule is "not configured". */
export const pluginPermissionsSchema = z
  .object(
    Object.fromEntries(PERMISSION_TYPES.map((type) => [type, permissionRuleSchema.optional()])) as {
      [K in PermissionType]: z.ZodOptional<typeof permissionRuleSchema>;
    },
  )
  .describe('Permission rules for one plugin, keyed by permission type.');

/** One plugin's rules by permission type; an absent type is not configured. */
export type PluginPermissions = z.output<typeof pluginPermissionsSchema>;

/** One plugin's entry in a policy. */
export const pluginPolicySchema = z
  .object({
    permissions: pluginPermissionsSchema.default({}),
    config: jsonObjectSchema.optional().describe('Declarative plugin config, optional.'),
  })
  .describe("One plugin's permissions and optional declarative config.");

/** One plugin's policy entry after defaults. */
export type PluginPolicy = z.output<typeof pluginPolicySchema>;

/**
 * A policy document: the JSON or YAML a user edits (a policy file, or a workspace README's front matter).
 * Keys of `plugins` are plugin ids. `trust` says which plugin signatures the host accepts; the permission
 * engine does not read it.
 */
export const policySchema = z
  .object({
    plugins: z.record(z.string(), pluginPolicySchema).default({}),
    trust: trustPolicySchema.optional(),
  })
  .describe(
    'A permission policy: per-plugin permission rules and config, and which plugin signatures to trust.',
  );

/** A policy document after defaults: plugin entries keyed by id, and the optional trust section. */
export type Policy = z.output<typeof policySchema>;
