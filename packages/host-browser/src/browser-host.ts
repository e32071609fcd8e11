import type { AuditSink, PermissionChecker } from '@plinth/permissions';
import {
  CancellationRegistry,
  combineBundles,
  coverage,
  createBasicBundle,
  createFilesBundle,
  createHttpBundle,
  createNamespacesBundle,
  createSecretsBundle,
  createStorageBundle,
  createWasiBundle,
  createWsBundle,
  RequestFileScope,
  type CapabilityBundle,
  type CapabilityCoverage,
  type DeliverToGuest,
  type EmittedEvent,
  type FileEvent,
  type GuestLogEntry,
  type GuestLogSink,
  type HostBundle,
  type HostClock,
  type HttpBundleLimits,
  type HttpTransport,
  type KeyValueStore,
  type NamespaceStore,
  type QuotaFor,
  type RuntimeContextBundleOptions,
  type SecretStore,
  type WasiLimits,
  type WasiRunner,
  type WorkspaceFiles,
  type WsBundleEvent,
  type WsConnector,
} from '@plinth/host-kit';
import { checkOptions, OptionsError } from '@plinth/protocol';
import { createFetchTransport } from './http/fetch-transport.js';
import { browserHostOptionsSchema } from './options.js';
import { createBrowserWsConnector } from './ws/browser-ws-connector.js';

/** The stores plugin storage, secrets and namespaces are kept in (`openIndexedDbStores` answers them). */
export interface BrowserHostStores {
  storage: KeyValueStore;
  secrets: SecretStore;
  namespaces: NamespaceStore;
}

/** What `createBrowserHost` is told: the permission checker and the services behind each capability. */
export interface BrowserHostOptions {
  permissions: PermissionChecker;
  /** Hears every decision the bundles make quietly (denied reads that answer "absent"). */
  audit?: AuditSink | undefined;
  /** Ask the user for "not configured" targets (handlers then answer promises: the isolated lane only). */
  ask?: boolean | undefined;
  /** Plugin storage, secrets and namespaces, e.g. `await openIndexedDbStores({ name })`. */
  stores: BrowserHostStores;
  /** The workspace, e.g. `await openDirectoryFiles({ directory })`; without it the file functions are not served. */
  files?: WorkspaceFiles | undefined;
  /** The path the workspace stands for, so absolute paths inside it resolve (e.g. `/workspace`). */
  workspaceRoot?: string | undefined;
  /** Hears every file a plugin created, saved or deleted (after the change is in the mirror). */
  onFileEvent?: ((event: FileEvent) => void) | undefined;
  /** HTTP for `host_http_request`. Default `createFetchTransport()`. */
  transport?: HttpTransport | undefined;
  /** HTTP response size and default timeout. */
  httpLimits?: Partial<HttpBundleLimits> | undefined;
  /** Per-plugin size limit of one stored value (e.g. `storageQuotaFromPolicy(policy)`). Default 1 MiB. */
  quotaFor?: QuotaFor | undefined;
  /** Where guest log lines go. Default: the console, at the line's level. */
  log?: GuestLogSink | undefined;
  /** Where events plugins emit go. Default: nowhere. */
  onEvent?: ((event: EmittedEvent) => void) | undefined;
  /** Default: the system clock and the browser's time zone. */
  clock?: HostClock | undefined;
  /** What `host_get_runtime_context` answers. Default `{}`. */
  runtimeContext?: RuntimeContextBundleOptions | undefined;
  /** The engine's plugin-to-plugin functions (`registry.bundle()` of `@plinth/runtime`). */
  plugins?: CapabilityBundle<'plugins'> | undefined;
  /**
   * Runs `host_run_wasi_module` on modules from the plugin's own storage, e.g. `createBrowserWasiRunner()`.
   * Without it WASI is not served (the runner's worker script is an asset the app must serve).
   */
  wasi?: WasiRunner | undefined;
  /** Limits of each WASI run (with `wasi`). Default host-kit's `DEFAULT_WASI_LIMITS` (timeout 4 s). */
  wasiLimits?: Partial<WasiLimits> | undefined;
  /**
   * Calls a plugin's WebSocket exports (`on_connected`, `handle_text_message`, `handle_binary_message`,
   * `on_disconnected`), e.g. `(id, name, input) => registry.deliver(id, name, input).then(() => undefined)`.
   * Without it the WebSocket functions are not served: frames would have nowhere to go.
   */
  deliver?: DeliverToGuest | undefined;
  /** WebSockets for `host_ws_request` (with `deliver`). Default `createBrowserWsConnector()`. */
  ws?: WsConnector | undefined;
  /** Hears every WebSocket open, close, reconnect, error and failed delivery (with `deliver`). */
  onWsEvent?: ((event: WsBundleEvent) => void) | undefined;
}

/** The composed browser host: one bundle for every plugin, and the scopes its calls run in. */
export interface BrowserHost {
  /** Every capability the browser serves; plugin-agnostic (handlers take the plugin from the call). */
  readonly bundle: HostBundle;
  /** The request files (`{ file_key } -> bytes`) a command call may hand its plugin. */
  readonly requestFiles: RequestFileScope;
  /** The tokens `host_is_cancelled` answers for. */
  readonly cancellation: CancellationRegistry;
  /** What the bundle serves, capability by capability, and what it leaves to "not available". */
  coverage(): CapabilityCoverage[];
  /** Stops a plugin's WebSocket connection and its reconnects, e.g. when the app unloads the plugin. */
  disconnect(pluginId: string): void;
  /** Stops every WebSocket connection (the functions stay served: a plugin may connect again). */
  close(): void;
}

const consoleLog: GuestLogSink = (entry: GuestLogEntry) => {
  const line = `[${entry.pluginId}] ${entry.message}`;
  if (entry.level === 'error') console.error(line);
  else if (entry.level === 'warn') console.warn(line);
  else if (entry.level === 'info') console.info(line);
  else console.debug(line);
};

/**
 * Every capability a browser serves, over the services given: files (when given a workspace), storage,
 * secrets, namespaces, HTTP through fetch, WebSockets (when given `deliver`), WASI (when given a
 * `wasi` runner), and the basics; the plugins capability only when the engine's bundle is given. What is
 * not served answers "not available". Storage, secrets, namespaces, files, WebSockets and basics are synchronous
 * over synchronous services (both lanes); `host_http_request` and `host_run_wasi_module` answer
 * promises (the worker lane).
 */
export function createBrowserHost(options: BrowserHostOptions): BrowserHost {
  checkOptions('createBrowserHost', browserHostOptionsSchema, options);
  // Options that mean nothing without another: refused rather than silently ignored.
  const orphans = [
    ...(['ws', 'onWsEvent'] as const)
      .filter((name) => options.deliver === undefined && options[name] !== undefined)
      .map((path) => ({
        path,
        message: 'needs `deliver` (the function that calls a plugin with its frames)',
      })),
    ...(options.wasi === undefined && options.wasiLimits !== undefined
      ? [{ path: 'wasiLimits', message: 'needs `wasi` (a WasiRunner, e.g. createBrowserWasiRunner())' }]
      : []),
  ];
  if (orphans.length > 0) throw new OptionsError('createBrowserHost', orphans);
  const { permissions, stores, quotaFor } = options;
  const gate = {
    permissions,
    ...(options.audit === undefined ? {} : { audit: options.audit }),
    ...(options.ask === undefined ? {} : { ask: options.ask }),
  };
  const stored = { ...gate, ...(quotaFor === undefined ? {} : { quotaFor }) };
  const requestFiles = new RequestFileScope();
  const cancellation = new CancellationRegistry();
  const parts: HostBundle[] = [
    createStorageBundle({ ...stored, store: stores.storage }),
    createSecretsBundle({ ...stored, secrets: stores.secrets }),
    createNamespacesBundle({ ...stored, store: stores.namespaces }),
    createHttpBundle({
      ...gate,
      transport: options.transport ?? createFetchTransport(),
      ...(options.httpLimits === undefined ? {} : { limits: options.httpLimits }),
    }),
    createBasicBundle({
      log: { sink: options.log ?? consoleLog },
      events: { emit: options.onEvent ?? (() => undefined) },
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      ...(options.runtimeContext === undefined ? {} : { runtimeContext: options.runtimeContext }),
      requestFiles,
      cancellation,
    }),
  ];
  if (options.files !== undefined) {
    parts.push(
      createFilesBundle({
        ...gate,
        files: options.files,
        ...(options.workspaceRoot === undefined ? {} : { workspaceRoot: options.workspaceRoot }),
        ...(options.onFileEvent === undefined ? {} : { onFileEvent: options.onFileEvent }),
      }),
    );
  }
  if (options.plugins !== undefined) parts.push(options.plugins);
  if (options.wasi !== undefined) {
    parts.push(
      createWasiBundle({
        ...gate,
        runner: options.wasi,
        readModule: (pluginId, key) => stores.storage.get(pluginId, key),
        ...options.wasiLimits,
      }),
    );
  }
  const ws =
    options.deliver === undefined
      ? undefined
      : createWsBundle({
          ...gate,
          connector: options.ws ?? createBrowserWsConnector(),
          deliver: options.deliver,
          ...(options.onWsEvent === undefined ? {} : { onEvent: options.onWsEvent }),
        });
  if (ws !== undefined) parts.push(ws.bundle);
  const bundle = combineBundles(...parts);
  return {
    bundle,
    requestFiles,
    cancellation,
    coverage: () => coverage(bundle),
    disconnect: (pluginId) => ws?.disconnect(pluginId),
    close: () => ws?.close(),
  };
}
