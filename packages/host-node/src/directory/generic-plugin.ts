import { readFile } from 'node:fs/promises';
import {
  PlinthError,
  PROTOCOL_VERSION,
  SEMVER_PATTERN,
  type CliArg,
  type CliCommand,
  type CommandResponse,
  type GuestManifest,
  type JsonValue,
} from '@plinth/protocol';
import type { GenericPlugin, PluginHandle } from '@plinth/runtime';
import { z } from 'zod';
import { errorMessage } from './directory-error.js';

/**
 * A plugin folder holding `extism.json` beside `plugin.wasm` is a generic Extism plugin: a module of no
 * particular protocol, described by the folder instead of by a `manifest` export. The description names
 * it, sets its Extism manifest options (allowed hosts, config, memory, timeout) and lists the exports an
 * app or an agent may call as tools. The host then serves it like a protocol plugin: its tools are its
 * commands (listed, permission-checked, called over MCP), its allowed hosts are a permission it asks for.
 */
export const EXTISM_DESCRIPTION_FILE = 'extism.json';

const TOOL_NAME = /^[a-z][a-z0-9_]{0,63}$/;

const toolSchema = z.strictObject({
  name: z.string().regex(TOOL_NAME, 'a tool name is lowercase letters, digits and _ (at most 64)'),
  /** The export the tool calls. */
  export: z.string().min(1),
  description: z.string().min(1),
  /** A JSON Schema of the tool's parameters (an object); its top-level properties become CLI hints. */
  input_schema: z
    .looseObject({ type: z.literal('object'), properties: z.record(z.string(), z.unknown()).optional() })
    .optional(),
  /**
   * What the export gets: `json` (the default) the parameters as JSON text; `{ "text": "<name>" }` the
   * string parameter of that name, raw (for exports that take plain text, as most Extism samples do).
   */
  input: z.union([z.literal('json'), z.strictObject({ text: z.string().min(1) })]).default('json'),
});

/**
 * The schema of a generic Extism plugin's extism.json: its name, version, allowed hosts and paths, config,
 * limits and tools. Unknown keys are refused.
 */
export const extismDescriptionSchema = z.strictObject({
  name: z.string().min(1),
  version: z.string().regex(SEMVER_PATTERN, 'version must be a semantic version such as "1.2.3"'),
  description: z.string().default(''),
  /** Extism's allowed_hosts (globs); each request is also checked against the policy's http_requests. */
  allowed_hosts: z.array(z.string().min(1)).default([]),
  /**
   * WASI folders: a workspace folder (a `ro:` prefix for read-only) → the path the guest sees it at. Asks
   * for the file permissions on that folder; only what the policy grants is mounted.
   */
  allowed_paths: z.record(z.string().min(1), z.string().min(1)).default({}),
  config: z.record(z.string(), z.string()).default({}),
  memory: z
    .strictObject({
      max_pages: z.int().min(0).optional(),
      max_http_response_bytes: z.int().min(0).optional(),
      max_var_bytes: z.int().min(0).optional(),
    })
    .optional(),
  timeout_ms: z.int().min(1).optional(),
  tools: z.array(toolSchema).min(1, 'list at least one tool'),
});

/** A parsed extism.json, after defaults. */
export type ExtismDescription = z.output<typeof extismDescriptionSchema>;
/** One tool an extism.json lists: a guest export the host offers as a command. */
export type ExtismTool = ExtismDescription['tools'][number];

/** Reads a folder's extism.json; undefined when there is none (a protocol plugin). */
export async function readExtismDescription(
  path: string,
  pluginId: string,
): Promise<ExtismDescription | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PlinthError('load_failed', `cannot read ${path}: ${errorMessage(error)}`, {
      pluginId,
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PlinthError('manifest_invalid', `${path} is not valid JSON: ${errorMessage(error)}`, {
      pluginId,
      cause: error,
    });
  }
  const parsed = extismDescriptionSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(the file)';
    throw new PlinthError('manifest_invalid', `${path}: ${where}: ${issue?.message ?? 'invalid'}`, {
      pluginId,
    });
  }
  const names = new Set<string>();
  for (const tool of parsed.data.tools) {
    if (names.has(tool.name)) {
      throw new PlinthError('manifest_invalid', `${path}: tools: "${tool.name}" is listed twice`, {
        pluginId,
      });
    }
    names.add(tool.name);
  }
  return parsed.data;
}

/** The Extism manifest options of a description (its modules come from the folder). */
export function manifestOptionsOf(description: ExtismDescription) {
  return {
    ...(description.allowed_hosts.length > 0 ? { allowed_hosts: description.allowed_hosts } : {}),
    config: description.config,
    ...(description.memory === undefined ? {} : { memory: description.memory }),
    ...(description.timeout_ms === undefined ? {} : { timeout_ms: description.timeout_ms }),
  };
}

const VALUE_TYPES: Readonly<Record<string, CliArg['value_type']>> = {
  string: 'String',
  integer: 'Integer',
  number: 'Float',
  boolean: 'Boolean',
};

/** A tool as a CLI hint: its top-level parameters as typed arguments (what MCP input schemas come from). */
function cliHintOf(tool: ExtismTool): CliCommand {
  const properties = (tool.input_schema?.properties ?? {}) as Record<
    string,
    { type?: unknown; description?: unknown }
  >;
  const required = new Set(
    Array.isArray(tool.input_schema?.['required']) ? (tool.input_schema['required'] as unknown[]) : [],
  );
  const args: CliArg[] = Object.entries(properties).map(([name, property]) => ({
    name,
    help: typeof property.description === 'string' ? property.description : '',
    value_type: VALUE_TYPES[typeof property.type === 'string' ? property.type : ''] ?? 'String',
    required: required.has(name),
    is_flag: false,
  }));
  return {
    name: tool.name,
    about: tool.description,
    aliases: [],
    args,
    subcommands: [],
    command_name: tool.name,
    requires_workspace: false,
  };
}

/**
 * The `http_requests` scope an `allowed_hosts` glob asks for. A scope is a host with its subdomains, so
 * `*.example.com` asks for `example.com` and `*` for `all`; the glob itself still filters every request.
 */
export function scopeOfHostGlob(glob: string): string {
  const after = glob.slice(glob.lastIndexOf('*') + 1).replace(/^[.-]+/, '');
  return after === '' ? 'all' : after;
}

/** A workspace folder an `extism.json` asks to mount, as its `allowed_paths` key says. */
export interface RequestedMount {
  /** Workspace-relative, as written (without `ro:`). */
  folder: string;
  guestPath: string;
  readOnly: boolean;
}

export function requestedMounts(description: ExtismDescription): RequestedMount[] {
  return Object.entries(description.allowed_paths).map(([key, guestPath]) =>
    key.startsWith('ro:')
      ? { folder: key.slice(3), guestPath, readOnly: true }
      : { folder: key, guestPath, readOnly: false },
  );
}

/** The file permissions a mount needs: reading, and for a read-write one also changing files. */
export const MOUNT_PERMISSIONS = {
  readOnly: ['read_files'],
  readWrite: ['read_files', 'edit_files', 'create_files', 'delete_files'],
} as const;

/** What a description asks for: `http_requests` for its hosts, file permissions for its folders. */
function requestedPermissionsOf(
  description: ExtismDescription,
): Record<string, { include: string[]; exclude: [] }> {
  const asks: Record<string, string[]> = {};
  const add = (type: string, scope: string) => {
    const scopes = (asks[type] ??= []);
    if (!scopes.includes(scope)) scopes.push(scope);
  };
  for (const glob of description.allowed_hosts) add('http_requests', scopeOfHostGlob(glob));
  for (const mount of requestedMounts(description)) {
    for (const type of mount.readOnly ? MOUNT_PERMISSIONS.readOnly : MOUNT_PERMISSIONS.readWrite) {
      add(type, mount.folder);
    }
  }
  return Object.fromEntries(Object.entries(asks).map(([type, include]) => [type, { include, exclude: [] }]));
}

/** The manifest the host shows for a generic plugin: its tools as commands, its hosts as a request. */
export function manifestOfDescription(pluginId: string, description: ExtismDescription): GuestManifest {
  const globs = description.allowed_hosts;
  const asks = requestedPermissionsOf(description);
  const mounts = requestedMounts(description);
  return {
    protocol_version: PROTOCOL_VERSION.current,
    id: pluginId,
    name: description.name,
    version: description.version,
    description: description.description,
    capabilities: ['custom_commands'],
    commands: description.tools.map((tool) => tool.name),
    ui: [],
    cli: description.tools.map(cliHintOf),
    ...(Object.keys(asks).length > 0
      ? {
          requested_permissions: {
            defaults: asks as NonNullable<GuestManifest['requested_permissions']>['defaults'],
            reasons: {
              ...(globs.length > 0
                ? { http_requests: `its extism.json lists allowed_hosts: ${globs.join(', ')}` }
                : {}),
              ...Object.fromEntries(
                Object.keys(asks)
                  .filter((type) => type !== 'http_requests')
                  .map((type) => [
                    type,
                    `its extism.json mounts ${mounts.map((mount) => `${mount.folder} at ${mount.guestPath}${mount.readOnly ? ' (read-only)' : ''}`).join(', ')} for WASI`,
                  ]),
              ),
            },
          },
        }
      : {}),
    conversions: [],
    server_functions: [],
  };
}

const decoder = new TextDecoder('utf-8');

/**
 * A generic plugin as the registry serves a protocol one: each tool is a command. A tool's parameters
 * become the export's input (JSON, or one text parameter raw); its output becomes `data` — parsed when it
 * is JSON, else the text. A failure of the export rejects the command with its typed error.
 */
export function genericToolsHandle(
  plugin: GenericPlugin,
  pluginId: string,
  description: ExtismDescription,
): PluginHandle {
  const manifest = manifestOfDescription(pluginId, description);
  const tools = new Map(description.tools.map((tool) => [tool.name, tool]));
  const inputOf = (tool: ExtismTool, params: JsonValue | null | undefined): string => {
    if (tool.input === 'json') return JSON.stringify(params ?? {});
    const value =
      typeof params === 'object' && params !== null && !Array.isArray(params)
        ? params[tool.input.text]
        : undefined;
    if (typeof value !== 'string') {
      throw new PlinthError(
        'invalid_params',
        `plugin ${pluginId} tool "${tool.name}" needs the text parameter "${tool.input.text}" (a string)`,
        { pluginId, exportName: tool.export },
      );
    }
    return value;
  };
  return {
    id: pluginId,
    version: description.version,
    manifest,
    handles: (name) => tools.has(name),
    async command(name, params, options): Promise<CommandResponse> {
      const tool = tools.get(name);
      if (tool === undefined) {
        throw new PlinthError('not_handled', `plugin ${pluginId} has no tool "${name}"`, { pluginId });
      }
      const output = await plugin.call(tool.export, inputOf(tool, params), {
        ...(options?.receipt ? { receipt: options.receipt } : {}),
      });
      return { success: true, data: dataOf(output) };
    },
    // A generic plugin has no event export: there is nothing to deliver, which is no failure.
    event: async () => null,
    callExport: (exportName, input, options) => plugin.call(exportName, input, options),
    hasExport: (name) => plugin.hasExport(name),
    memoryBytes: () => plugin.lane.memoryBytes?.(),
    shutdown: () => plugin.close(),
  };
}

function dataOf(output: Uint8Array | null): JsonValue {
  if (output === null) return null;
  const text = decoder.decode(output);
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}
