import { z } from 'zod';
import { jsonValueSchema } from '../json.js';
import { formatPath } from '../errors/protocol-error.js';
import {
  cliCommandSchema,
  UI_SLOTS,
  uiContributionSchema,
  type CliCommand,
  type UiContribution,
} from './contributions.js';
import { definePayload, friendlyIssueMessage } from '../payload.js';
import { pluginPermissionsSchema } from '../permissions.js';
import { warnUnknownPermissionTypes } from './policy.js';
import { PLUGIN_ID_MAX_LENGTH, PLUGIN_ID_PATTERN, PROTOCOL_VERSION, SEMVER_PATTERN } from '../version.js';

/** Capabilities a guest may declare. Unknown ones are dropped from the typed view with a warning. */
export const KNOWN_CAPABILITIES = [
  'file_events',
  'workspace_events',
  'sync_transport',
  'custom_commands',
  'editor_extension',
  'media_transcoder',
  'declarative_config',
] as const;

/** A capability this protocol knows (one of KNOWN_CAPABILITIES). */
export type Capability = (typeof KNOWN_CAPABILITIES)[number];

/** The manifest's `requested_permissions`: default rules to install and the reason for each. */
export const requestedPermissionsSchema = z
  .object({
    defaults: pluginPermissionsSchema
      .default({})
      .describe('Rules to install when the user has not set them; never widens an existing rule.'),
    reasons: z
      .record(z.string(), z.string())
      .default({})
      .describe('Why the plugin wants each permission, keyed by permission type; shown to the user.'),
  })
  .describe('Permissions a plugin asks for at install, with reasons.');

/** A manifest's `requested_permissions` after defaults are filled. */
export type RequestedPermissions = z.output<typeof requestedPermissionsSchema>;

/** One entry of a manifest's `server_functions`; recorded, never served by the host. */
export const serverFunctionSchema = z
  .object({
    name: z.string(),
    method: z.string(),
    path: z.string(),
    description: z.string(),
  })
  .describe('A server-side function the plugin declares. Declarative only: the host does not serve it.');

/** A server function a manifest declares. */
export type ServerFunction = z.output<typeof serverFunctionSchema>;

const semver = (field: string) =>
  z.string().regex(SEMVER_PATTERN, {
    error: (issue) =>
      `${field} must be a semantic version such as "1.2.3" (got ${JSON.stringify(issue.input)})`,
  });

/**
 * The wire schema of a `manifest` output; the source of `guest-manifest.json`. Prefer `parseGuestManifest`,
 * which also applies the lenient clean-up.
 */
export const guestManifestSchema = z
  .object({
    protocol_version: z
      .number()
      .int({ error: 'protocol_version must be a whole number' })
      .min(PROTOCOL_VERSION.min, { error: unsupportedVersion })
      .max(PROTOCOL_VERSION.max, { error: unsupportedVersion })
      .default(PROTOCOL_VERSION.current)
      .describe(`Protocol version the guest speaks; 1 when absent. This host accepts ${windowText()}.`),
    id: z
      .string()
      .max(PLUGIN_ID_MAX_LENGTH, { error: `id must be at most ${PLUGIN_ID_MAX_LENGTH} characters` })
      .regex(PLUGIN_ID_PATTERN, {
        error: (issue) =>
          `id must be lowercase [a-z0-9-] segments joined by "." with at least two segments, such as "acme.word-count" (got ${JSON.stringify(issue.input)})`,
      })
      .describe('Canonical plugin id, e.g. `acme.word-count`. Fixed for the life of an instance.'),
    name: z.string().describe('Display name.'),
    version: semver('version').describe('The plugin version, semver.'),
    description: z.string().describe('One-line description shown to users.'),
    capabilities: z
      .array(z.string())
      .describe(`Declared capabilities. Known: ${KNOWN_CAPABILITIES.join(', ')}. Unknown ones are ignored.`),
    commands: z
      .array(z.string())
      .default([])
      .describe('Commands served by `handle_command` (requires the `custom_commands` capability).'),
    ui: z
      .array(jsonValueSchema)
      .default([])
      .describe('UI contributions tagged by `slot`, passed to the embedding app; bad elements are dropped.'),
    cli: z
      .array(jsonValueSchema)
      .default([])
      .describe('CLI command hints, passed to the embedding app; bad elements are dropped.'),
    requested_permissions: requestedPermissionsSchema.optional(),
    conversions: z
      .array(z.string())
      .default([])
      .describe('Media conversions offered, as `from:to`, e.g. `heic:jpeg`.'),
    min_app_version: semver('min_app_version')
      .optional()
      .describe('Lowest host app version this plugin runs on, semver; absent = any host.'),
    server_functions: z.array(serverFunctionSchema).default([]),
  })
  .describe('What a guest says about itself: the output of its `manifest` export.');

/**
 * A manifest as the wire schema outputs it, before unknown capabilities and bad `ui`/`cli` elements are
 * dropped.
 */
export type WireGuestManifest = z.output<typeof guestManifestSchema>;

/** The typed view of a manifest: unknown capabilities are dropped (with a warning). */
export interface GuestManifest extends Omit<WireGuestManifest, 'capabilities' | 'ui' | 'cli'> {
  capabilities: Capability[];
  ui: UiContribution[];
  cli: CliCommand[];
}

function windowText(): string {
  return PROTOCOL_VERSION.min === PROTOCOL_VERSION.max
    ? `version ${PROTOCOL_VERSION.min}`
    : `versions ${PROTOCOL_VERSION.min} to ${PROTOCOL_VERSION.max}`;
}

function unsupportedVersion(issue: { input?: unknown }): string {
  return `protocol_version ${String(issue.input)} is not supported: this host speaks protocol ${windowText()}`;
}

const isCapability = (value: string): value is Capability =>
  (KNOWN_CAPABILITIES as readonly string[]).includes(value);

/** The `manifest` output payload: parses to the typed GuestManifest, with warnings for what it drops. */
export const guestManifestPayload = definePayload<GuestManifest, WireGuestManifest>({
  name: 'GuestManifest',
  fileName: 'guest-manifest',
  description: 'Output of the `manifest` export.',
  schema: guestManifestSchema,
  codeByField: {
    protocol_version: 'unsupported_protocol_version',
    id: 'invalid_plugin_id',
    version: 'invalid_version',
    min_app_version: 'invalid_min_app_version',
  },
  postProcess(manifest, warn, raw) {
    const requested = (raw as { requested_permissions?: { defaults?: unknown } }).requested_permissions;
    warnUnknownPermissionTypes(requested?.defaults, ['requested_permissions', 'defaults'], warn);
    const capabilities: Capability[] = [];
    manifest.capabilities.forEach((capability, index) => {
      if (isCapability(capability)) capabilities.push(capability);
      else warn({ path: ['capabilities', index], message: `unknown capability "${capability}" ignored` });
    });
    const keepValid = <T>(
      field: 'ui' | 'cli',
      schema: z.ZodType<T>,
      check?: (value: T, index: number) => void,
    ): T[] => {
      const kept: T[] = [];
      manifest[field].forEach((element, index) => {
        const result = schema.safeParse(element, { error: friendlyIssueMessage });
        if (result.success) {
          kept.push(result.data);
          check?.(result.data, index);
          return;
        }
        const issue = result.error.issues[0];
        const where =
          issue && issue.path.length > 0 ? ` at ${formatPath(issue.path as (string | number)[])}` : '';
        warn({
          path: [field, index],
          message: `${field} element dropped: ${issue?.message ?? 'invalid'}${where}`,
        });
      });
      return kept;
    };
    const ui = keepValid('ui', uiContributionSchema, (element, index) => {
      if (!(UI_SLOTS as readonly string[]).includes(element.slot)) {
        warn({
          path: ['ui', index, 'slot'],
          message: `unknown ui slot "${element.slot}"; passed through as is`,
        });
      }
    });
    if (manifest.commands.length > 0 && !capabilities.includes('custom_commands')) {
      warn({
        path: ['capabilities'],
        message:
          'commands are listed but the custom_commands capability is not declared; the host will not route them',
      });
    }
    return { ...manifest, capabilities, ui, cli: keepValid('cli', cliCommandSchema) };
  },
});
