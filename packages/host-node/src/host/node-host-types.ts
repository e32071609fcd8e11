import type { PermissionDecision, PermissionRequest } from '@plinth/permissions';
import type {
  CommandResponse,
  GuestManifest,
  JsonObject,
  JsonValue,
  PermissionType,
  Policy,
} from '@plinth/protocol';
import type {
  CallRecord,
  LaneKind,
  PluginInfo,
  PluginLimits,
  RegistryChange,
  UserFunctions,
} from '@plinth/runtime';
import type { CapabilityCoverage, KeyValueStore, NamespaceStore, SecretStore } from '@plinth/host-kit';
import type { SignatureStatus } from '@plinth/signing';
import type { DirectoryProblem, InstallResult, InstallStep } from '../directory/index.js';

/** How a Node app hosts plugins: one workspace, one plugins root, one storage database, one policy. */
export interface NodeHostOptions {
  /** The workspace the fs bundle is rooted in. Must exist (see `create`). */
  workspaceRoot: string;
  /** `<root>/<plugin-id>/plugin.wasm` folders (PROTOCOL.md §6). Must exist (see `create`). */
  pluginsRoot: string;
  /**
   * Create the workspace, the plugins root and the policy file's folder when missing. Default false: a
   * missing one is `invalid_options` naming it, so a mistyped path never grows a new tree somewhere.
   */
  create?: boolean;
  /** SQLite file for storage, secrets and namespaces. Default `<pluginsRoot>/.plinth/plinth.db`. */
  storagePath?: string;
  /**
   * Where plugin storage, secrets and namespaces live instead of the SQLite file — e.g. PostgreSQL
   * (`openPostgresStores` from `@plinth/host-postgres`), so several host processes share them. The host
   * does not close them. Stores that answer promises (unless `synchronous: true`) make these functions
   * asynchronous: with lane `auto`, a plugin granted `plugin_storage` or `namespaces` then runs isolated.
   */
  stores?: NodeHostStores;
  /**
   * Where the policy lives: a YAML/JSON policy file, or a workspace markdown file whose front matter has a
   * `plugins:` key. Re-read when it changes; grant and revoke write it back.
   */
  policy: { file: string } | { frontMatter: string };
  /** The embedding app's version, compared with each manifest's `min_app_version`. */
  hostAppVersion: string;
  /**
   * Where plugins run. `auto` (default): every plugin is metered (fuel: an instruction budget per call),
   * and runs in-thread unless it needs what only the isolated lane gives — a granted host function that
   * answers asynchronously (`host_http_request` with `http_requests`, `host_plugin_command` with
   * `execute_commands`, `host_run_wasi_module` with `plugin_storage`) or a `fuelPerCall` above the in-thread
   * ceiling (1e9); a grant or revoke that changes the answer reloads the plugin into the other lane.
   * `isolated`: a worker per plugin for all (hard timeouts, unmetered). `in-thread`: all in-thread,
   * unmetered (trusted plugins only).
   */
  lane?: 'auto' | 'isolated' | 'in-thread';
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
  onChange?: (change: NodeHostChange) => void;
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
  /**
   * The app's own host functions for generic Extism plugins (folders with `extism.json`), by namespace as
   * the Extism SDK takes them — e.g. `kv_read`/`kv_write` in `extism:host/user`. A generic plugin that
   * imports a function nothing provides is refused before it runs. Synchronous in both lanes; a promise
   * only in the isolated lane.
   */
  extismFunctions?: UserFunctions;
}

/** Plugin storage, secrets and namespaces as `createNodeHost` takes them (see `NodeHostOptions.stores`). */
export interface NodeHostStores {
  storage: KeyValueStore;
  secrets: SecretStore;
  namespaces: NamespaceStore;
  /** The stores answer at once (never a promise): their functions then serve the in-thread lane too. */
  synchronous?: boolean;
}

/**
 * One structured log line: its level, where it came from, the plugin it concerns, and machine-readable
 * extras.
 */
export interface NodeHostLogEntry {
  level: 'error' | 'warn' | 'info' | 'debug' | 'trace';
  source: 'guest' | 'registry' | 'host' | 'permissions';
  pluginId?: string;
  message: string;
  /** Machine-readable extras (error code, decision, …). */
  detail?: JsonObject;
}

/**
 * An event a plugin caused: one it emitted with `host_emit_event`, or the file event of one of its writes.
 */
export type NodeHostEvent =
  | { type: 'plugin_event'; pluginId: string; payload: JsonValue }
  | {
      type: 'file_event';
      pluginId: string;
      event_type: 'file_created' | 'file_saved' | 'file_deleted';
      path: string;
    };

/** A registry change (load, reload, unload, quarantine), or an install or uninstall. */
export type NodeHostChange = RegistryChange | { type: 'installed' | 'uninstalled'; pluginId: string };

/**
 * Listens to a running host beside the options' callbacks (e.g. a dashboard opened later). Each callback
 * hears what the option of the same name hears; one that throws is ignored.
 */
export interface NodeHostObserver {
  /** Hears what `NodeHostOptions.onLog` hears. */
  onLog?: (entry: NodeHostLogEntry) => void;
  /** Hears what `NodeHostOptions.onEvent` hears. */
  onEvent?: (event: NodeHostEvent) => void;
  /** Hears what `NodeHostOptions.onCall` hears. */
  onCall?: (record: CallRecord) => void;
  /** Hears what `NodeHostOptions.onChange` hears. */
  onChange?: (change: NodeHostChange) => void;
}

/** A step of long work: loading the plugins root one plugin at a time, or an install step. */
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
  /**
   * What the manifest asks for that the policy sets no rule for (installed without consent, or revoked),
   * to show the user with an offer to grant; undefined when nothing is missing. A rule the user set,
   * however narrow, counts as answered.
   */
  notGranted: NodeHostPermissionRequest | undefined;
  /** The lane its instance runs in (undefined until it first opened), and whether it counts fuel. */
  lane: { kind: LaneKind; metered: boolean; reason: string } | undefined;
  /**
   * Who signed the running instance's module (`signed`, with the trusted key's name and id and the signing
   * time), or `unsigned` (with whether the policy warns about it). A module refused for its signature never
   * runs: at start it is a problem, on a reload the older instance keeps serving and `error` holds the
   * refusal (`signature_invalid`, `signature_untrusted`, `signature_mismatch`, `signature_required`,
   * `downgrade_refused`).
   */
  signature: SignatureStatus | undefined;
  /** The hex sha256 of the running instance's module (undefined until it first opened). */
  sha256: string | undefined;
}

/** What one `command` call carries besides its params. */
export interface NodeHostCommandOptions {
  /**
   * Files for this call alone: `host_request_file` answers their raw bytes by key (empty for a missing
   * key). No other call sees them, concurrent calls of the same plugin included, nor a plugin this one
   * calls through `host_plugin_command`.
   */
  files?: Readonly<Record<string, Uint8Array>> | ReadonlyMap<string, Uint8Array>;
  /**
   * Cooperative cancellation: the host adds `cancel_token` (a fresh random token) to the params, which
   * must then be an object or null, and `host_is_cancelled` answers `{"cancelled": true}` for that token,
   * to this plugin only, once the signal aborts. The guest decides when to stop; a call that never asks
   * runs on to its end or its timeout. An already aborted signal rejects with its reason, and the guest is
   * not called.
   */
  signal?: AbortSignal;
}

/** Where `install` and `inspect` take a module from: a file path, an http(s) URL, or the bytes themselves. */
export type NodeHostInstallSource = { path: string } | { url: string } | { bytes: Uint8Array };

export type { SignatureStatus };

/**
 * The permissions an installed plugin asks for that the policy does not set yet, for a consent prompt
 * (`permissionRequest` of `@plinth/permissions`, which pages without this host use too).
 */
export type NodeHostPermissionRequest = PermissionRequest;

/** What `install` may be told: a sha256 pin, replacement, consent to requested permissions, a signature. */
export interface NodeHostInstallOptions {
  /** Expected hex sha256 of the module; a mismatch refuses the install before anything runs. */
  sha256?: string;
  /** Replace an installed plugin with other bytes (it is then hot-reloaded). Default false. */
  replace?: boolean;
  /**
   * Consent to the permissions the manifest requests. `false` (the default) grants nothing: the plugin is
   * installed and loaded with what the policy already gives it, and `plugin(id).notGranted` says what it
   * asks for. `true` adds every requested rule the policy does not set. A function is asked once the
   * module has been checked and written, with what would be added (only when something would); it
   * answers whether to add it. Rules the user has set are never changed.
   */
  grantRequested?: boolean | ((request: NodeHostPermissionRequest) => boolean | Promise<boolean>);
  /**
   * The module's signature file (text or bytes). Default: `<path>.sig` beside a `{ path }` source when it
   * exists. Checked against the policy's `trust` section before the module runs or is written.
   */
  signature?: string | Uint8Array;
  /** Let a validly signed older version replace the installed one (else `downgrade_refused`). Default false. */
  allowDowngrade?: boolean;
}

/** What `reload` may be told. */
export interface NodeHostReloadOptions {
  /** Let a validly signed older version on disk replace the running one (else `downgrade_refused`). */
  allowDowngrade?: boolean;
}

/** What `inspect` may be told: the checks of an install, without `replace` (an inspection writes nothing). */
export type NodeHostInspectOptions = Pick<NodeHostInstallOptions, 'sha256' | 'signature' | 'allowDowngrade'>;

/**
 * A module checked as an install would check it, and not installed. `outcome` is what an install of it
 * would do: `installed` (new), `replaced` (other bytes are installed: install with `replace`) or
 * `unchanged` (these bytes are installed).
 */
export interface NodeHostInspection extends InstallResult {
  /** What the manifest asks for that the policy sets no rule for: what `grantRequested` would add. */
  notGranted: NodeHostPermissionRequest | undefined;
}

/** What an install did, and which requested permissions it granted or left ungranted. */
export interface NodeHostInstallResult extends InstallResult {
  /** The permission types this install added to the policy (with consent). */
  granted: PermissionType[];
  /** What the manifest asks for that the policy still sets no rule for (no consent, or declined). */
  notGranted: NodeHostPermissionRequest | undefined;
}

/**
 * A running Node host, made by `createNodeHost`: loads, installs and calls plugins and edits their policy.
 */
export interface NodeHost {
  /** Loads every plugin under the plugins root; bad ones are reported, never fatal. */
  start(): Promise<{ loaded: NodeHostPlugin[]; problems: DirectoryProblem[] }>;
  /** Every plugin the host knows, loaded or failed. */
  plugins(): NodeHostPlugin[];
  /** One plugin by id, or undefined when the host does not know it. */
  plugin(id: string): NodeHostPlugin | undefined;
  /**
   * What the host's bundle serves of the host-function catalogue, capability by capability: everything
   * but the functions the catalogue marks `unsupported`, which answer "not available".
   */
  coverage(): CapabilityCoverage[];
  /**
   * Runs a command; throws a PlinthError (`not_handled` for an unknown plugin or command, …). `options`
   * hands the call its request files and an AbortSignal.
   */
  command(
    pluginId: string,
    command: string,
    params?: JsonValue | null,
    options?: NodeHostCommandOptions,
  ): Promise<CommandResponse>;
  /**
   * Installs (sha256-verified when given) and loads a plugin. It gets the permissions its manifest asks for
   * only with consent (`grantRequested`); the result says what was asked for, granted and not granted. An
   * installed plugin with other bytes is refused (`already_installed`) unless `replace` is set; it is then
   * hot-reloaded. The same bytes again answer `outcome: 'unchanged'` (and still ask for what is missing).
   */
  install(source: NodeHostInstallSource, options?: NodeHostInstallOptions): Promise<NodeHostInstallResult>;
  /**
   * Checks a module as `install` would (sha256 pin, signature, module checks, its manifest read with no
   * host functions) and writes nothing: what an install would do, and what the plugin asks for.
   */
  inspect(source: NodeHostInstallSource, options?: NodeHostInspectOptions): Promise<NodeHostInspection>;
  /** Unloads and removes a plugin. */
  uninstall(pluginId: string): Promise<void>;
  /**
   * Opens the plugin's folder again (checking its signature) and swaps it in; loads it when it is not
   * loaded. A refused reload leaves the running instance serving and throws.
   */
  reload(pluginId: string, options?: NodeHostReloadOptions): Promise<PluginInfo>;
  /**
   * Takes a loaded plugin out of service by hand: its calls and events are refused (`quarantined`, with
   * the reason) until it is released or reloaded; its instance stays loaded. Change listeners hear
   * `quarantined`. A plugin quarantined already stays as it is.
   */
  quarantine(pluginId: string, reason?: string): Promise<PluginInfo>;
  /**
   * Brings a quarantined plugin (by hand or by the failure policy) back into service with a fresh instance:
   * a reload from its folder, so change listeners hear `reloaded`. A refused reload leaves it quarantined
   * and throws. A plugin in service is left as it is.
   */
  release(pluginId: string): Promise<PluginInfo>;
  /** Adds a scope to a plugin's include list for a permission type and saves the policy. */
  grant(pluginId: string, permission: PermissionType, scope: string): Promise<void>;
  /** Removes a scope (or, without one, the whole rule) and saves the policy. */
  revoke(pluginId: string, permission: PermissionType, scope?: string): Promise<void>;
  /** The policy as last read or saved. */
  policy(): Policy;
  /** Every permission decision that refused something, most recent last (bounded). */
  denials(): readonly PermissionDecision[];
  /**
   * Adds an observer of logs, events, call records and changes (beside the options' callbacks); answers
   * the function that removes it. Observers added while the host runs hear what happens from then on.
   */
  observe(observer: NodeHostObserver): () => void;
  /** Resolves once the file events of plugin writes made so far have reached every other plugin. */
  settled(): Promise<void>;
  /** Stops watching, shuts every plugin down, closes HTTP connections and the database. Idempotent. */
  close(): Promise<void>;
}
