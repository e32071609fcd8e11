import {
  formatPath,
  PERMISSION_TYPES,
  type CliArg,
  type CliCommand,
  type GuestManifest,
  type JsonObject,
  type JsonValue,
  type ProtocolWarning,
} from '@plinth/protocol';
import type { CheckRecorder } from './report.js';

/** The `handle_command` command a CLI hint runs: `command_name`, else the PascalCase form of `name`. */
export function cliCommandTarget(hint: CliCommand): string {
  if (hint.command_name) return hint.command_name;
  return hint.name
    .split(/[-_\s]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}

/** Every hint with its subcommands, depth first. */
function flattenHints(hints: readonly CliCommand[]): CliCommand[] {
  return hints.flatMap((hint) => [hint, ...flattenHints(hint.subcommands)]);
}

const PLACEHOLDERS: Readonly<Record<CliArg['value_type'], JsonValue>> = {
  String: 'example',
  Integer: 1,
  Float: 1.5,
  Boolean: true,
  Path: 'README.md',
};

function typedDefault(arg: CliArg, text: string): JsonValue {
  if (arg.value_type === 'Integer' || arg.value_type === 'Float') {
    const number = Number(text);
    return Number.isFinite(number) ? number : text;
  }
  if (arg.value_type === 'Boolean') return text === 'true';
  return text;
}

/**
 * Params a CLI would send for each hinted command: every argument with a default, and a placeholder of
 * the right type for each required one. Optional arguments without a default are left out, as a user
 * who does not pass them would.
 */
export function paramsFromCliHints(manifest: GuestManifest): Map<string, JsonObject> {
  const params = new Map<string, JsonObject>();
  for (const hint of flattenHints(manifest.cli)) {
    if (hint.native_handler) continue;
    const target = cliCommandTarget(hint);
    if (params.has(target)) continue;
    const object: JsonObject = {};
    for (const arg of hint.args) {
      if (arg.default_value != null) object[arg.name] = typedDefault(arg, arg.default_value);
      else if (arg.required) object[arg.name] = arg.is_flag ? true : PLACEHOLDERS[arg.value_type];
    }
    params.set(target, object);
  }
  return params;
}

const NOT_ROUTED_WARNING = 'custom_commands capability is not declared';

/** The consistency rules the schema cannot express, plus the parser's warnings as warning findings. */
export function checkManifestConsistency(
  manifest: GuestManifest,
  warnings: readonly ProtocolWarning[],
  check: CheckRecorder,
): void {
  const seen = new Set<string>();
  for (const command of manifest.commands) {
    if (command.trim() === '') check.error('empty_command', 'commands lists an empty command name');
    else if (seen.has(command)) {
      check.error('duplicate_command', `commands lists ${JSON.stringify(command)} more than once`, {
        command,
      });
    }
    seen.add(command);
  }
  const notRouted = manifest.commands.length > 0 && !manifest.capabilities.includes('custom_commands');
  if (notRouted) {
    check.error(
      'commands_not_routed',
      `commands are listed (${manifest.commands.join(', ')}) but the custom_commands capability is not declared, so a host never routes them`,
    );
  }
  for (const hint of flattenHints(manifest.cli)) {
    if (hint.native_handler) continue;
    const target = cliCommandTarget(hint);
    if (!seen.has(target)) {
      check.error(
        'cli_unknown_command',
        `cli hint "${hint.name}" runs command ${JSON.stringify(target)}, which commands does not list`,
        { hint: hint.name, command: target },
      );
    }
  }
  const requested = manifest.requested_permissions;
  if (requested) {
    const asked = PERMISSION_TYPES.filter((type) => requested.defaults[type] !== undefined);
    for (const type of asked) {
      if (!requested.reasons[type]?.trim()) {
        check.warning(
          'permission_without_reason',
          `requested_permissions.defaults.${type} has no reason; users are shown requested_permissions.reasons.${type}`,
          { permission: type },
        );
      }
    }
    for (const type of Object.keys(requested.reasons)) {
      if (!(asked as readonly string[]).includes(type)) {
        check.warning(
          'reason_without_permission',
          `requested_permissions.reasons.${type} explains a permission the defaults do not request`,
          { permission: type },
        );
      }
    }
  }
  for (const warning of warnings) {
    if (notRouted && warning.message.includes(NOT_ROUTED_WARNING)) continue;
    check.warning('manifest_warning', `at ${formatPath(warning.path)}: ${warning.message}`, {
      path: warning.path.map(String),
    });
  }
}
