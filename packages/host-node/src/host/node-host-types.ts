import type { PermissionDecision } from '@plinth/permissions';
import type {
  CommandResponse,
  GuestManifest,
  JsonObject,
  JsonValue,
  PermissionType,
  Policy,
} from '@plinth/protocol';
import type { CallRecord, PluginInfo, PluginLimits, RegistryChange } from '@plinth/runtime';
import type { DirectoryProblem, InstallResult, InstallStep } from '../directory/index.js';

/** How a Node app hosts plugins: one workspace, one plugins root, one storage database, one policy. */
export interface NodeHostOptions {
  /** The workspace the fs bundle is rooted in. */
  workspaceRoot: string;
  /** `<root>/<plugin-id>/plugin.wasm` folders (PROTOCOL.md §6). Created if missing. */
  pluginsRoot: string;
  /** SQLite file for storage, secrets and namespaces. Default `<pluginsRoot>/.plinth/plinth.db`. */
  storagePath?: string;
  /**
   * Where the policy lives: a YAML/JSON policy file, or a workspace markdown file whose front matter has a
   * `plugins:` key. Re-read when it changes; grant and revoke write it back.
   */
  policy: { file: string } | { frontMatter: string };
  /** The embedding app's version, compared with each manifest's `min_app_version`. */
  hostAppVersion: string;
  /** `isolated` (default: a worker per plugin, hard timeouts, async host functions) or `in-thread`. */
  lane?: 'isolated' | 'in-thread';
  limits?: Partial<PluginLimits>;
  /** Hosts (names, IPs or CIDR ranges) plugins may reach although they are private or loopback. */
  allowPrivateHosts?: readonly string[];
  /** What `host_get_runtime_context` answers for a plugin (secrets redacted). */
  runtimeContext?: (pluginId: string) => Readonly<Record<string, JsonValue>>;
  /** Watch the plugins root (hot reload) and the policy file. Default true. */
  watch?: boolean;
  /** Structured log events: guest log lines, registry and load messages, denials. */
  onLog?: (entry: NodeHostLogEntry) => void;
  /** Events plugins emit with `host_emit_event`, and file events of their writes. */
  onEvent?: (event: NodeHostEvent) => void;
  /** Loads, reloads, unloads, quarantines, installs and uninstalls (e.g. to send MCP `tools/list_changed`). */
  onChange?: (change: RegistryChange | { type: 'installed' | 'uninstalled'; pluginId: string }) => void;
  /** Progress of long work: loading many plugins, installing. */
  onProgress?: (progress: NodeHostProgress) => void;
  /** One record per command or event call (plugin, export, duration, outcome), for metrics. */
  onCall?: (record: CallRecord) => void;
  /** How many denials `denials()` keeps (the oldest are dropped). Default 500. */
  denialsKept?: number;
  /**
   * Workspace paths (relative or absolute) no plugin may see or change, whatever the policy grants — e.g.
   * the app's own logs. The plugins root and the storage database are always hidden when they sit inside
   * the workspace, and the policy file is read-only for plugins (else one could grant itself anything).
   */
  hiddenPaths?: readonly string[];
}

export interface NodeHostLogEntry {
  level: 'error' | 'warn' | 'info' | 'debug' | 'trace';
  source: 'guest' | 'registry' | 'host' | 'permissions';
  pluginId?: string;
  message: string;
  /** Machine-readable extras (error code, decision, …). */
  detail?: JsonObject;
}

export type NodeHostEvent =
  | { type: 'plugin_event'; pluginId: string; payload: JsonValue }
  | {
      type: 'file_event';
      pluginId: string;
      event_type: 'file_created' | 'file_saved' | 'file_deleted';
      path: string;
    };

export type NodeHostProgress =
  | { type: 'loading'; pluginId: string; index: number; total: number }
  | { type: 'loaded'; pluginId: string }
  | { type: 'skipped'; pluginId: string; message: string }
  | { type: 'installing'; step: InstallStep; source: string };

/** A loaded (or failed) plugin, as an app shows it. */
export interface NodeHostPlugin extends PluginInfo {
  /** The permissions the policy grants it, in words (@plinth/permissions' summary). */
  permissionSummary: string[];
  /** What the manifest asks for, with the reasons it gives. */
  requestedPermissions: GuestManifest['requested_permissions'];
}

export interface NodeHost {
  /** Loads every plugin under the plugins root; bad ones are reported, never fatal. */
  start(): Promise<{ loaded: NodeHostPlugin[]; problems: DirectoryProblem[] }>;
  plugins(): NodeHostPlugin[];
  plugin(id: string): NodeHostPlugin | undefined;
  /** Runs a command; throws a PlinthError (`not_handled` for an unknown plugin or command, …). */
  command(pluginId: string, command: string, params?: JsonValue | null): Promise<CommandResponse>;
  /**
   * Installs (sha256-verified when given), applies the manifest's requested defaults, and loads it. An
   * installed plugin with other bytes is refused (`already_installed`) unless `replace` is set; it is then
   * hot-reloaded. The same bytes again answer `outcome: 'unchanged'`.
   */
  install(
    options: ({ path: string } | { url: string } | { bytes: Uint8Array }) & { replace?: boolean },
    sha256?: string,
  ): Promise<InstallResult>;
  /** Unloads and removes a plugin. */
  uninstall(pluginId: string): Promise<void>;
  reload(pluginId: string): Promise<PluginInfo>;
  /** Adds a scope to a plugin's include list for a permission type and saves the policy. */
  grant(pluginId: string, permission: PermissionType, scope: string): Promise<void>;
  /** Removes a scope (or, without one, the whole rule) and saves the policy. */
  revoke(pluginId: string, permission: PermissionType, scope?: string): Promise<void>;
  policy(): Policy;
  /** Every permission decision that refused something, most recent last (bounded). */
  denials(): readonly PermissionDecision[];
  /** Resolves once the file events of plugin writes made so far have reached every other plugin. */
  settled(): Promise<void>;
  /** Stops watching, shuts every plugin down, closes HTTP connections and the database. Idempotent. */
  close(): Promise<void>;
}
