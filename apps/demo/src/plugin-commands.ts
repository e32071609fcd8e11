import { createPolicyChecker, summarizePluginPolicy } from '@plinth/permissions';
import { PERMISSION_TYPES, type JsonValue, type PermissionType } from '@plinth/protocol';
import type { NodeHost, NodeHostPlugin } from '@plinth/host-node';
import { CliError, UsageError, type CliIo } from './cli-io.js';
import { parseParams } from './json-params.js';

export function requirePlugin(host: NodeHost, id: string): NodeHostPlugin {
  const plugin = host.plugin(id);
  if (plugin) return plugin;
  const known = host.plugins().map((p) => p.id);
  throw new CliError(`unknown plugin "${id}"; installed: ${known.join(', ') || '(none)'}`);
}

export function requirePermissionType(text: string): PermissionType {
  if ((PERMISSION_TYPES as readonly string[]).includes(text)) return text as PermissionType;
  throw new UsageError(`unknown permission type "${text}"; known: ${PERMISSION_TYPES.join(', ')}`);
}

/** The `run` params argument, or a usage error showing where the JSON breaks. */
export function requireParams(text: string | undefined): JsonValue | null {
  const parsed = parseParams(text);
  if (!parsed.ok) throw new UsageError(parsed.message);
  return parsed.value;
}

function allowedSummary(host: NodeHost, id: string): string {
  try {
    return summarizePluginPolicy(host.policy(), id);
  } catch (error) {
    return `(the policy cannot be read: ${(error as Error).message})`;
  }
}

export function listPlugins(host: NodeHost, io: CliIo): void {
  const plugins = [...host.plugins()].sort((a, b) => a.id.localeCompare(b.id));
  if (plugins.length === 0) io.stdout('No plugins installed.\n');
  for (const plugin of plugins) {
    const name = plugin.manifest ? ` — ${plugin.manifest.name}` : '';
    io.stdout(`${plugin.id} ${plugin.version ?? '?'} [${plugin.state}]${name}\n`);
    if (plugin.manifest) io.stdout(`  commands: ${plugin.manifest.commands.join(', ') || '(none)'}\n`);
    const may =
      plugin.permissionSummary.length > 0
        ? plugin.permissionSummary.join(', ')
        : 'nothing that needs a permission';
    io.stdout(`  may:      ${may}\n`);
    if (plugin.error) io.stdout(`  error:    [${plugin.error.code}] ${plugin.error.message}\n`);
  }
}

export function showManifest(host: NodeHost, id: string, io: CliIo): void {
  const plugin = requirePlugin(host, id);
  if (!plugin.manifest) throw new CliError(`plugin "${id}" has no running instance (state ${plugin.state})`);
  io.stdout(`${JSON.stringify(plugin.manifest, null, 2)}\n`);
}

export async function runCommand(
  host: NodeHost,
  args: { pluginId: string; command: string; params: JsonValue | null },
  io: CliIo,
): Promise<void> {
  const plugin = requirePlugin(host, args.pluginId);
  const commands = plugin.manifest?.commands ?? [];
  if (plugin.state !== 'active') {
    throw new CliError(
      `plugin "${plugin.id}" is ${plugin.state}${plugin.error ? `: ${plugin.error.message}` : ''}`,
    );
  }
  if (!commands.includes(args.command)) {
    throw new CliError(
      `plugin "${plugin.id}" has no command "${args.command}"; its commands: ${commands.join(', ') || '(none)'}`,
    );
  }
  const response = await host.command(plugin.id, args.command, args.params);
  if (!response.success) {
    const code = response.error_code ? ` [${response.error_code}]` : '';
    const hint =
      response.error_code === 'permission_denied'
        ? `\n  (see what it may do with "plinth-demo list"; widen it with "plinth-demo grant ${plugin.id} <permission> <scope>")`
        : '';
    throw new CliError(
      `${plugin.id} ${args.command} failed${code}: ${response.error ?? 'no message'}${hint}`,
    );
  }
  const data = response.data ?? null;
  io.stdout(`${typeof data === 'string' ? data : JSON.stringify(data, null, 2)}\n`);
}

/** A grant under an exclude changes nothing (PROTOCOL.md §5: exclude always wins); say so. */
function stillExcluded(
  host: NodeHost,
  args: { pluginId: string; permission: PermissionType; scope: string },
): string | undefined {
  if (args.permission === 'http_requests' || args.permission === 'plugin_storage' || args.scope === 'all')
    return undefined;
  const decision = createPolicyChecker({ policy: host.policy() }).check({
    pluginId: args.pluginId,
    type: args.permission,
    target: args.scope,
  });
  return decision.reason === 'matched_exclude' ? decision.message : undefined;
}

export async function grant(
  host: NodeHost,
  args: { pluginId: string; permission: PermissionType; scope: string },
  io: CliIo,
): Promise<void> {
  requirePlugin(host, args.pluginId);
  await host.grant(args.pluginId, args.permission, args.scope);
  io.stdout(`granted ${args.pluginId} ${args.permission} on "${args.scope}"\n`);
  const excluded = stillExcluded(host, args);
  if (excluded) io.stderr(`warning: ${excluded} — an exclude in the policy wins over any include\n`);
  io.stdout(`  ${args.pluginId} may now: ${allowedSummary(host, args.pluginId)}\n`);
}

export async function revoke(
  host: NodeHost,
  args: { pluginId: string; permission: PermissionType; scope: string | undefined },
  io: CliIo,
): Promise<void> {
  requirePlugin(host, args.pluginId);
  await host.revoke(args.pluginId, args.permission, args.scope);
  const what =
    args.scope === undefined ? `every ${args.permission} scope` : `${args.permission} on "${args.scope}"`;
  io.stdout(`revoked ${what} from ${args.pluginId}\n`);
  io.stdout(`  ${args.pluginId} may now: ${allowedSummary(host, args.pluginId)}\n`);
}

export async function install(
  host: NodeHost,
  args: { path: string; sha256: string | undefined },
  io: CliIo,
): Promise<void> {
  const result = await host.install({ path: args.path }, args.sha256);
  io.stdout(`${result.outcome} ${result.id} ${result.version} (sha256 ${result.sha256})\n`);
  const reasons = result.requestedPermissions?.reasons ?? {};
  for (const [type, reason] of Object.entries(reasons)) io.stdout(`  asks for ${type}: ${reason}\n`);
  io.stdout(`  may: ${allowedSummary(host, result.id)}\n`);
}

export async function uninstall(host: NodeHost, id: string, io: CliIo): Promise<void> {
  requirePlugin(host, id);
  await host.uninstall(id);
  io.stdout(`uninstalled ${id}\n`);
}
