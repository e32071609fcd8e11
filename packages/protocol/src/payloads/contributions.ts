import { z } from 'zod';

/**
 * Schemas for the elements of a manifest's `cli` and `ui` arrays. The core host treats both as opaque and
 * passes them to the embedding app; it validates each element on its own and drops a bad one with a
 * warning, so one malformed contribution never costs the plugin its load.
 */

export const CLI_VALUE_TYPES = ['String', 'Integer', 'Float', 'Boolean', 'Path'] as const;

/** One argument of a CLI command hint; unknown keys are kept for the embedding app. */
export const cliArgSchema = z.looseObject({
  name: z.string().min(1),
  help: z.string(),
  value_type: z.enum(CLI_VALUE_TYPES).default('String'),
  required: z.boolean().default(false),
  default_value: z.string().nullable().optional(),
  short: z.string().length(1).nullable().optional(),
  long: z.string().nullable().optional(),
  is_flag: z.boolean().default(false),
});

/** A CLI argument hint after defaults are filled. */
export type CliArg = z.output<typeof cliArgSchema>;

/**
 * A CLI command hint from a manifest's `cli` array, after defaults are filled. The host passes it to the
 * embedding app and does not act on it.
 */
export interface CliCommand {
  name: string;
  about: string;
  long_about?: string | null | undefined;
  aliases: string[];
  args: CliArg[];
  subcommands: CliCommand[];
  /** The `handle_command` command this runs; absent = the PascalCase form of `name`. */
  command_name?: string | null | undefined;
  requires_workspace: boolean;
  native_handler?: string | null | undefined;
}

/** Validates one element of a manifest's `cli` array, nested subcommands included; unknown keys are kept. */
export const cliCommandSchema: z.ZodType<CliCommand> = z.looseObject({
  name: z.string().min(1),
  about: z.string(),
  long_about: z.string().nullable().optional(),
  aliases: z.array(z.string()).default([]),
  args: z.array(cliArgSchema).default([]),
  get subcommands() {
    return z.array(cliCommandSchema).default([]);
  },
  command_name: z.string().nullable().optional(),
  requires_workspace: z.boolean().default(true),
  native_handler: z.string().nullable().optional(),
}) as z.ZodType<CliCommand>;

/** Slots a UI contribution may fill. Each element is tagged by `slot`; the rest is the app's business. */
export const UI_SLOTS = [
  'SettingsTab',
  'SidebarTab',
  'CommandPaletteItem',
  'CommandPalette',
  'ContextMenu',
  'ToolbarButton',
  'StatusBarItem',
  'WorkspaceProvider',
  'EditorExtension',
] as const;

/**
 * Validates one element of a manifest's `ui` array: only a non-empty `slot` is required; the rest is kept as
 * is.
 */
export const uiContributionSchema = z.looseObject({ slot: z.string().min(1) });

/** A UI contribution: its `slot` and whatever else the plugin put there. */
export type UiContribution = z.output<typeof uiContributionSchema>;
