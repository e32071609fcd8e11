import type { CliArg, CliCommand, GuestManifest } from '@plinth/protocol';
import type { SignatureStatus } from '@plinth/signing';
import { assignToolNames, type ToolKey } from './tool-names.js';

/** A JSON Schema object, as MCP's `inputSchema` wants it. */
export interface ToolInputSchema {
  type: 'object';
  properties?: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties?: boolean;
  [key: string]: unknown;
}

export interface PluginTool extends ToolKey {
  name: string;
  description: string;
  inputSchema: ToolInputSchema;
}

/** What the catalog needs to know of a plugin (NodeHostPlugin has it). */
export interface ToolSource {
  id: string;
  state: string;
  manifest: GuestManifest | undefined;
  /** Where the plugin runs, when known: said in every tool's description. */
  lane?: { kind: string; metered: boolean } | undefined;
  /** Who signed it, when known: said in every tool's description too. */
  signature?: SignatureStatus | undefined;
}

const OPEN_OBJECT: ToolInputSchema = { type: 'object', additionalProperties: true };

function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}

/** The CLI hint that runs `command` (contributions.ts: `command_name`, else the PascalCase of `name`). */
export function findCliHint(cli: readonly CliCommand[], command: string): CliCommand | undefined {
  for (const hint of cli) {
    const runs = hint.command_name ?? pascalCase(hint.name);
    if (runs === command || hint.name === command) return hint;
    const nested = findCliHint(hint.subcommands, command);
    if (nested) return nested;
  }
  return undefined;
}

function argSchema(arg: CliArg): Record<string, unknown> {
  const type = arg.is_flag
    ? 'boolean'
    : { String: 'string', Path: 'string', Integer: 'integer', Float: 'number', Boolean: 'boolean' }[
        arg.value_type
      ];
  const schema: Record<string, unknown> = { type, description: arg.help };
  if (arg.value_type === 'Path') schema['description'] = `${arg.help} (a workspace-relative path)`;
  if (arg.default_value !== undefined && arg.default_value !== null) {
    schema['default'] = type === 'string' ? arg.default_value : parseDefault(arg.default_value);
  }
  return schema;
}

function parseDefault(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The input schema of a command: from its CLI hint's args, else an open object. */
export function inputSchemaFor(hint: CliCommand | undefined): ToolInputSchema {
  if (!hint || hint.args.length === 0) return OPEN_OBJECT;
  const properties: Record<string, Record<string, unknown>> = {};
  for (const arg of hint.args) properties[arg.name] = argSchema(arg);
  const required = hint.args.filter((arg) => arg.required).map((arg) => arg.name);
  // Open: the hint describes what the CLI shows, the command may accept more.
  return {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: true,
  };
}

function describe(
  manifest: GuestManifest,
  command: string,
  hint: CliCommand | undefined,
  source: Pick<ToolSource, 'lane' | 'signature'> | undefined,
): string {
  const about = hint ? ` — ${hint.long_about ?? hint.about}` : '';
  const lane = source?.lane;
  const where = lane ? ` Runs ${laneWords(lane)}.` : '';
  return `${manifest.name} (${manifest.id} v${manifest.version}): command "${command}"${about}. ${manifest.description}${where}${provenance(source?.signature)}`;
}

/** ` Signed by "release".` / ` Unsigned.`: who vouches for the code behind a tool, for the agent to see. */
function provenance(signature: SignatureStatus | undefined): string {
  if (signature === undefined) return '';
  return signature.state === 'signed' ? ` Signed by "${signature.keyName}".` : ' Unsigned.';
}

/** `in-thread, metered` / `isolated (a worker)`: how list and the tool descriptions name a lane. */
export function laneWords(lane: NonNullable<ToolSource['lane']>): string {
  const kind = lane.kind === 'isolated' ? 'isolated (a worker)' : lane.kind;
  return lane.metered ? `${kind}, metered (fuel)` : kind;
}

/** Every command of every active plugin as an MCP tool, with unique, deterministic names. */
export function buildToolCatalog(plugins: readonly ToolSource[]): PluginTool[] {
  const manifests = new Map<string, GuestManifest>();
  const sources = new Map<string, ToolSource>();
  const keys: ToolKey[] = [];
  for (const plugin of plugins) {
    if (plugin.state !== 'active' || !plugin.manifest) continue;
    manifests.set(plugin.id, plugin.manifest);
    sources.set(plugin.id, plugin);
    for (const command of plugin.manifest.commands) keys.push({ pluginId: plugin.id, command });
  }
  const tools: PluginTool[] = [];
  for (const [name, key] of assignToolNames(keys)) {
    const manifest = manifests.get(key.pluginId) as GuestManifest;
    const hint = findCliHint(manifest.cli, key.command);
    tools.push({
      ...key,
      name,
      description: describe(manifest, key.command, hint, sources.get(key.pluginId)),
      inputSchema: inputSchemaFor(hint),
    });
  }
  return tools.sort((a, b) => a.name.localeCompare(b.name));
}
