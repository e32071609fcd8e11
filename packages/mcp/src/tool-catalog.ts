import type { CliCommand, GuestManifest } from '@plinth/protocol';
import { describeParameters, findCliHint, inputSchemaFor, type ToolInputSchema } from './input-schema.js';
import { assignToolNames, type ToolKey } from './tool-names.js';

/** Who vouches for a plugin's code, as a host's plugin view says it (`@plinth/signing`'s SignatureStatus). */
export type ToolSignature = { state: 'signed'; keyName: string } | { state: 'unsigned' };

/**
 * What the catalog reads of a plugin. `NodeHostPlugin` (`@plinth/host-node`) has all of it; the runtime's
 * `PluginInfo` has the first three, and its tools then say nothing of lane or signature.
 */
export interface ToolPlugin {
  id: string;
  /** Only `active` plugins have tools. */
  state: string;
  manifest: GuestManifest | undefined;
  /** Where the plugin runs, when the view says: named in every tool's description. */
  lane?: { kind: string; metered: boolean } | undefined;
  /** Who signed it, when the view says: named in every tool's description too. */
  signature?: ToolSignature | undefined;
}

/**
 * One plugin command as an MCP tool: its unique name, the description the agent reads, and its input schema.
 */
export interface PluginTool extends ToolKey {
  name: string;
  description: string;
  inputSchema: ToolInputSchema;
}

/** `in-thread, metered (fuel)` / `isolated (a worker)`: how a lane reads in a tool description or a listing. */
export function laneWords(lane: NonNullable<ToolPlugin['lane']>): string {
  const kind = lane.kind === 'isolated' ? 'isolated (a worker)' : lane.kind;
  return lane.metered ? `${kind}, metered (fuel)` : kind;
}

/** ` Signed by "release".` / ` Unsigned.`: who vouches for the code behind a tool, for the agent to see. */
function provenance(signature: ToolSignature | undefined): string {
  if (signature === undefined) return '';
  return signature.state === 'signed' ? ` Signed by "${signature.keyName}".` : ' Unsigned.';
}

function describe(
  plugin: ToolPlugin,
  manifest: GuestManifest,
  command: string,
  hint: CliCommand | undefined,
) {
  const about = hint ? ` — ${hint.long_about ?? hint.about}` : '';
  const where = plugin.lane ? ` Runs ${laneWords(plugin.lane)}.` : '';
  return (
    `${manifest.name} (${manifest.id} v${manifest.version}): command "${command}"${about}. ` +
    `${manifest.description}${describeParameters(hint)}${where}${provenance(plugin.signature)}`
  );
}

/** Every command of every active plugin as an MCP tool, with unique, deterministic names, sorted by name. */
export function buildToolCatalog(plugins: readonly ToolPlugin[]): PluginTool[] {
  const active = new Map<string, { plugin: ToolPlugin; manifest: GuestManifest }>();
  const keys: ToolKey[] = [];
  for (const plugin of plugins) {
    const { manifest } = plugin;
    if (plugin.state !== 'active' || !manifest) continue;
    active.set(plugin.id, { plugin, manifest });
    for (const command of manifest.commands) keys.push({ pluginId: plugin.id, command });
  }
  const tools: PluginTool[] = [];
  for (const [name, key] of assignToolNames(keys)) {
    const { plugin, manifest } = active.get(key.pluginId) as { plugin: ToolPlugin; manifest: GuestManifest };
    const hint = findCliHint(manifest.cli, key.command);
    tools.push({
      ...key,
      name,
      description: describe(plugin, manifest, key.command, hint),
      inputSchema: inputSchemaFor(hint),
    });
  }
  return tools.sort((a, b) => a.name.localeCompare(b.name));
}
