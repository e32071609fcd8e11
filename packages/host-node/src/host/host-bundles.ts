import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PermissionChecker } from '@plinth/permissions';
import {
  combineBundles,
  createFilesBundle,
  createNamespacesBundle,
  createSecretsBundle,
  createStorageBundle,
  fileEventToGuestEvent,
  storageQuotaFromPolicy,
  type CancellationRegistry,
  type FileEvent,
  type HostBundle,
  type QuotaPolicySource,
  type HttpTransport,
} from '@plinth/host-kit';
import { type PluginLimits, type PluginRegistry } from '@plinth/runtime';
import { createBasicBundles } from '../basics/index.js';
import { createNodeWorkspaceFiles, type HostPaths } from '../fs/index.js';
import { createNodeHttpBundle } from '../http/index.js';
import { createWsBridge, type WsBridge } from '../ws/index.js';
import { openSqliteStores, type SqliteStores } from '../storage/index.js';
import { createWasiBundle, DEFAULT_WASI_TIMEOUT_MS } from '../wasi/index.js';
import { wsBridgeLog } from './host-log.js';
import type { NodeHostEvent, NodeHostLogEntry, NodeHostOptions, NodeHostStores } from './node-host-types.js';

export interface HostBundlesOptions {
  workspaceRoot: string;
  /** The SQLite file, or the app's own stores. */
  storage: { path: string } | NodeHostStores;
  /** The host's own files inside the workspace, out of the plugins' reach. */
  fileRules: HostPaths;
  permissions: PermissionChecker;
  policy: QuotaPolicySource;
  registry: PluginRegistry;
  limits: PluginLimits;
  allowPrivateHosts: readonly string[] | undefined;
  runtimeContext: NodeHostOptions['runtimeContext'];
  log: (entry: NodeHostLogEntry) => void;
  event: (event: NodeHostEvent) => void;
}

/** The one bundle every plugin of a host gets, and what must be closed with the host. */
export interface HostBundles {
  /** Plugin-agnostic: handlers take the plugin id from the call context, so it is built once. */
  bundle: HostBundle;
  /** The SQLite stores when the host opened them (closed with the host); undefined for the app's own. */
  stores: SqliteStores | undefined;
  /** The host's one WebSocket bridge: frames reach the plugins' exports through the registry. */
  ws: WsBridge;
  /** The guarded HTTP transport (address checks, redirects hop by hop), for Extism's http_request. */
  httpTransport: HttpTransport;
  /** The tokens `host_is_cancelled` answers for: one per call made with an AbortSignal. */
  cancellation: CancellationRegistry;
  /** Resolves once every file-event broadcast started so far has been delivered. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Every capability of the Node host over one workspace and one database. `host_http_request`,
 * `host_run_wasi_module` and `host_plugin_command` answer promises, so they need the isolated lane;
 * `host_ws_request` is synchronous (both lanes), and the frames it receives reach the guest's exports
 * through `registry.deliver`.
 */
export function createHostBundles(options: HostBundlesOptions): HostBundles {
  const { permissions, registry, limits, log, event } = options;
  const broadcasts = new Set<Promise<void>>();

  const onFileEvent = (change: FileEvent): void => {
    event({ type: 'file_event', pluginId: change.pluginId, event_type: change.type, path: change.path });
    // Not awaited: the writer's call must not wait on other plugins (nor on itself, which `except` skips).
    const delivery = registry
      .broadcast(fileEventToGuestEvent(change), { except: change.pluginId })
      .catch((error: unknown) =>
        log({
          level: 'error',
          source: 'host',
          pluginId: change.pluginId,
          message: `broadcast of ${change.type} ${change.path} failed: ${String(error)}`,
        }),
      )
      .finally(() => broadcasts.delete(delivery));
    broadcasts.add(delivery);
  };

  let stores: SqliteStores | undefined;
  let serving: NodeHostStores;
  if ('path' in options.storage) {
    mkdirSync(dirname(options.storage.path), { recursive: true });
    stores = openSqliteStores({ path: options.storage.path });
    serving = stores;
  } else {
    serving = options.storage;
  }
  try {
    const quotaFor = storageQuotaFromPolicy(options.policy);
    const storage = {
      bundle: combineBundles(
        createStorageBundle({ store: serving.storage, permissions, quotaFor }),
        createSecretsBundle({ secrets: serving.secrets, permissions, quotaFor }),
        createNamespacesBundle({ store: serving.namespaces, permissions, quotaFor }),
      ),
    };
    const http = createNodeHttpBundle({
      permissions,
      limits: { responseMaxBytes: limits.httpResponseMaxBytes, defaultTimeoutMs: limits.httpTimeoutMs },
      network: { allowPrivateHosts: options.allowPrivateHosts },
    });
    const { runtimeContext } = options;
    const basics = createBasicBundles({
      log: {
        sink: (line) =>
          log({
            level: line.level,
            source: 'guest',
            pluginId: line.pluginId,
            message: line.message,
            ...(line.dropped === undefined ? {} : { detail: { dropped: line.dropped } }),
          }),
      },
      events: {
        emit: (emitted) =>
          event({ type: 'plugin_event', pluginId: emitted.pluginId, payload: emitted.payload }),
        eventsPerSecond: limits.eventsPerSecond,
      },
      runtimeContext:
        runtimeContext === undefined
          ? undefined
          : { provider: (context) => runtimeContext(context.pluginId) },
    });
    const wasi = createWasiBundle({
      permissions,
      readModule: (pluginId, key) => serving.storage.get(pluginId, key),
      // Below the plugin's own call timeout, so the guest gets the W timeout answer rather than being stopped.
      timeoutMs: Math.max(1, Math.min(DEFAULT_WASI_TIMEOUT_MS, Math.floor(limits.timeoutMs * 0.8))),
    });
    const ws = createWsBridge({
      permissions,
      allowPrivateHosts: options.allowPrivateHosts,
      deliver: async (pluginId, exportName, input) => {
        // A frame (or on_disconnected) that arrives after its plugin was unloaded or quarantined (which
        // also stops its connection) has nobody to go to.
        const state = registry.get(pluginId)?.state;
        if (state !== 'active') {
          log({
            level: 'debug',
            source: 'host',
            pluginId,
            message: `WebSocket ${exportName} call dropped: ${pluginId} is ${state ?? 'not loaded'}`,
          });
          return;
        }
        const delivered = await registry.deliver(pluginId, exportName, input);
        if (!delivered) {
          log({
            level: 'debug',
            source: 'host',
            pluginId,
            message: `WebSocket ${exportName} call skipped: ${pluginId} does not export it`,
          });
        }
      },
      onEvent: (wsEvent) => log(wsBridgeLog(wsEvent)),
    });
    const bundle = combineBundles(
      createFilesBundle({
        workspaceRoot: options.workspaceRoot,
        permissions,
        onFileEvent,
        files: createNodeWorkspaceFiles({ root: options.workspaceRoot, hostPaths: options.fileRules }),
      }),
      storage.bundle,
      http.bundle,
      basics.bundle,
      wasi,
      ws.bundle,
      registry.bundle(),
    );
    const settled = async (): Promise<void> => {
      while (broadcasts.size > 0) await Promise.all([...broadcasts]);
    };
    return {
      bundle,
      stores,
      ws,
      httpTransport: http.transport,
      cancellation: basics.cancellation,
      settled,
      close: async () => {
        ws.close();
        await http.close();
        stores?.close();
      },
    };
  } catch (error) {
    stores?.close();
    throw error;
  }
}
