import { createPolicyChecker, summarizePluginPolicy } from '@plinth/permissions';
import { PERMISSION_TYPES, type JsonValue, type PermissionType } from '@plinth/protocol';
import type { NodeHost, NodeHostPermissionRequest, NodeHostPlugin } from '@plinth/host-node';
import type { DirectoryProblem } from '@plinth/host-node/directory';
import { laneWords } from '@plinth/mcp';
import { CliError, UsageError, type CliIo } from './cli-io.js';
import { parseParams } from './json-params.js';
import { askLines, mayWords } from './permission-words.js';
import { refusalWords, signatureWords } from './signing-commands.js';

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

export function listPlugins(host: NodeHost, io: CliIo, problems: readonly DirectoryProblem[] = []): void {
  const plugins = [...host.plugins()].sort((a, b) => a.id.localeCompare(b.id));
  if (plugins.length === 0 && problems.length === 0) io.stdout('No plugins installed.\n');
  for (const plugin of plugins) {
    const name = plugin.manifest ? ` — ${plugin.manifest.name}` : '';
    io.stdout(`${plugin.id} ${plugin.version ?? '?'} [${plugin.state}]${name}\n`);
    if (plugin.manifest) io.stdout(`  commands: ${plugin.manifest.commands.join(', ') || '(none)'}\n`);
    if (plugin.lane) io.stdout(`  runs:     ${laneWords(plugin.lane)} — ${plugin.lane.reason}\n`);
    io.stdout(`  may:      ${mayWords(plugin.permissionSummary)}\n`);
    if (plugin.notGranted) {
      for (const line of askLines(plugin.notGranted)) io.stdout(`  asks to:  ${line} (not granted)\n`);
      for (const line of grantCommands(plugin.notGranted)) io.stdout(`  grant:    ${line}\n`);
    }
    if (plugin.error) io.stdout(`  error:    [${plugin.error.code}] ${plugin.error.message}\n`);
    io.stdout(`  signed:   ${signatureWords(plugin.signature)}\n`);
  }
  // Folders that did not load: a signature refusal says so in words.
  for (const problem of problems) {
    const words = refusalWords(problem.code);
    io.stdout(`${problem.name} [not loaded]${words ? ` — ${words}` : ''}\n`);
    io.stdout(`  error:    [${problem.code}] ${problem.message}\n`);
  }
}

/** The `grant` commands that give a plugin what it asks for, one scope each. */
export function grantCommands(request: NodeHostPermissionRequest): string[] {
  return Object.entries(request.permissions).flatMap(([type, rule]) =>
    (rule?.include ?? []).map((scope) => `plinth-demo grant ${request.pluginId} ${type} ${quoted(scope)}`),
  );
}

const quoted = (text: string): string =>
  /^[\w./:@*-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;

/**
 * Shows a person what a plugin asks for and asks y/N (stderr, so stdout keeps only results). Only "y" or
 * "yes" grants; anything else, or the end of input, grants nothing.
 */
export async function askConsent(
  request: NodeHostPermissionRequest,
  prompt: (question: string) => Promise<string | undefined>,
  io: CliIo,
): Promise<boolean> {
  io.stderr(`${request.name} (${request.pluginId} ${request.version}) asks to:\n`);
  for (const line of askLines(request)) io.stderr(`  - ${line}\n`);
  const answer = await prompt('Grant these permissions? [y/N] ');
  return /^\s*y(es)?\s*$/i.test(answer ?? '');
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

/**
 * A grant under an exclude changes nothing (packages/protocol/PROTOCOL.md §5.3: exclude always wins); say
 * so.
 */
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

/** Whether `install` grants what the plugin asks for: yes, after asking a person, or not at all. */
export type InstallConsent =
  { grant: boolean } | { grant: 'ask'; prompt: (question: string) => Promise<string | undefined> };

export async function install(
  host: NodeHost,
  args: { path: string; sha256: string | undefined; consent: InstallConsent; allowDowngrade?: boolean },
  io: CliIo,
): Promise<void> {
  const { consent } = args;
  const result = await host.install(
    { path: args.path },
    {
      ...(args.sha256 === undefined ? {} : { sha256: args.sha256 }),
      ...(args.allowDowngrade === true ? { allowDowngrade: true } : {}),
      grantRequested:
        consent.grant === 'ask' ? (request) => askConsent(request, consent.prompt, io) : consent.grant,
    },
  );
  io.stdout(`${result.outcome} ${result.id} ${result.version} (sha256 ${result.sha256})\n`);
  io.stdout(`  ${signatureWords(result.signature)}\n`);
  if (result.granted.length > 0) io.stdout(`  granted what it asks for: ${result.granted.join(', ')}\n`);
  if (result.notGranted) {
    io.stdout('  not granted; it asks to:\n');
    for (const line of askLines(result.notGranted)) io.stdout(`    - ${line}\n`);
    io.stdout(`  to grant: plinth-demo install ${quoted(args.path)} --yes, or one by one:\n`);
    for (const line of grantCommands(result.notGranted)) io.stdout(`    ${line}\n`);
  }
  io.stdout(`  may: ${allowedSummary(host, result.id)}\n`);
}

export async function uninstall(host: NodeHost, id: string, io: CliIo): Promise<void> {
  requirePlugin(host, id);
  await host.uninstall(id);
  io.stdout(`uninstalled ${id}\n`);
}
