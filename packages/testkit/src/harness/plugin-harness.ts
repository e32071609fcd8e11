import { readFileSync } from 'node:fs';
import {
  createAllowAllChecker,
  createPolicyChecker,
  PolicyStore,
  type PermissionChecker,
} from '@plinth/permissions';
import {
  checkOptions,
  type PlinthError,
  type CommandResponse,
  type ConfigReconcile,
  type GuestManifest,
  type InitContext,
  type JsonObject,
  type JsonValue,
  type PermissionType,
  type ProtocolWarning,
} from '@plinth/protocol';
import {
  combineBundles,
  coverage,
  createHttpBundle,
  createNamespacesBundle,
  createSecretsBundle,
  createStorageBundle,
  createWasiBundle,
  createWsBundle,
  DEFAULT_WASI_LIMITS,
  storageQuotaFromPolicy,
  type CallReceipt,
  type CapabilityCoverage,
  type FileEvent,
  type HostBundle,
  type WsBundleEvent,
} from '@plinth/host-kit';
import {
  createInThreadLane,
  openPlugin,
  openProtocolPluginFrom,
  DEFAULT_LIMITS,
  DEFAULT_MANIFEST_MAX_BYTES,
  readManifest as readGuestManifest,
  type LaneCallResult,
  type LaneFactory,
  type PluginLimits,
  type ProtocolLogEntry,
  type ProtocolPlugin,
} from '@plinth/runtime';
import { createIsolatedLane } from '@plinth/runtime/node';
import { createManualClock, createMemoryBasics, type MemoryBasics } from '../twins/basics.js';
import { createMemoryFsBundle, MEMORY_WORKSPACE_ROOT, type MemoryWorkspaceFiles } from '../twins/files.js';
import { createRouteTableTransport, type Route, type RouteTableTransport } from '../twins/http.js';
import { createMemoryNamespaceStore, type MemoryNamespaceStore } from '../twins/namespaces.js';
import { createScriptedWasiRunner, type ScriptedWasiRunner, type WasiScript } from '../twins/wasi.js';
import {
  createManualTimers,
  createMemoryWsServer,
  type ManualTimers,
  type MemoryWsServer,
  type MemoryWsServerOptions,
} from '../twins/ws.js';
import {
  createMemoryKeyValueStore,
  createMemorySecretStore,
  type MemoryKeyValueStore,
  type MemorySecretStore,
} from '../twins/storage.js';
import {
  createPluginCommandBundle,
  type CrossPluginRefusal,
  type HarnessNeighbour,
} from './plugin-command.js';
import { pluginHarnessOptionsSchema } from '../testkit-options.js';
import { createReplayBundle, type ReplayBundle } from './replay.js';
import { createGuestCallRecorder } from './guest-calls.js';

import {
  createHostCallRecorder,
  type HarnessCall,
  type Transcript,
  type TranscriptHostCall,
} from './transcript.js';

/**
 * What `createPluginHarness` is told: the module, and the workspace, permissions, config and host it runs
 * against.
 */
export interface PluginHarnessOptions {
  /** The module: bytes, or a path to a `.wasm` file. */
  wasm: Uint8Array | string;
  /** The workspace the plugin sees: workspace-relative path → text or bytes (a key ending in `/` is a folder). */
  files?: Readonly<Record<string, string | Uint8Array>>;
  /**
   * The permissions the plugin gets: its rules (`{ read_files: { include: ['all'] } }`), a whole policy
   * document, or `'allow-all'`. Default: what the manifest asks for in `requested_permissions.defaults`,
   * as a user who accepts the install defaults would grant.
   */
  policy?: HarnessPolicy;
  /** Routes of the in-memory HTTP server; unknown routes answer 404. */
  httpRoutes?: readonly Route[];
  /**
   * WASI modules `host_run_wasi_module` plays, by key or bytes (see `createScriptedWasiRunner`). A module
   * scripted by its key needs no bytes in the plugin's storage; others are read from it.
   */
  wasiModules?: readonly WasiScript[];
  /** How the in-memory WebSocket server answers handshakes and frames; default: it accepts every connection. */
  wsServer?: MemoryWsServerOptions;
  /** The config stored for the plugin (sent to `set_config` before `init`). */
  config?: JsonObject;
  /**
   * `'in-thread'` (fast) or `'isolated'` (a worker with a hard timeout; needed for async host functions
   * such as HTTP and WASI). Default: isolated when `httpRoutes` or `wasiModules` are given, else in-thread.
   */
  lane?: 'in-thread' | 'isolated';
  /**
   * Meter the guest (default true): every call gets `limits.fuelPerCall` instructions and reports what it
   * used in `calls`. A metered guest that loops is stopped with `fuel_exhausted` on either lane, so the
   * in-thread default is safe for a guest that may spin; `false` runs it unmetered.
   */
  fuel?: boolean;
  limits?: Partial<PluginLimits>;
  hostAppVersion?: string;
  /** The id the manifest must declare (like an install directory name). */
  expectedId?: string;
  /** What `host_get_runtime_context` answers (secrets redacted). */
  runtimeContext?: Readonly<Record<string, JsonValue>>;
  /** Start of the controllable clock (ms since epoch). Default 1 700 000 000 000. */
  clockStartMs?: number;
  /**
   * Fake plugins `host_plugin_command` may call, by id. Each answers the command's `data`, or
   * `{ error }` (an object with only a string `error`) or a throw for a failed command. A promise only
   * works on the isolated lane (the in-thread lane cannot wait). `harnessNeighbour(other)` makes a
   * neighbour of another harness. Unknown ids answer "plugin Y is not loaded in this harness".
   */
  neighbours?: Readonly<Record<string, HarnessNeighbour>>;
  /** Extism config the guest reads with `config_get`, e.g. `{ plugin_id }` for a guest that takes its id from it. */
  extismConfig?: Readonly<Record<string, string>>;
  /** Extra host functions; they win over the twins and the harness's own `host_plugin_command`. */
  hostFunctions?: HostBundle;
  /** Serve every host call from a saved transcript instead of the twins. */
  replay?: Transcript;
}

/** A plugin under test with in-memory twins of every host bundle, recording every host call. */
export interface PluginHarness {
  /** Calls `manifest` on a fresh instance and decodes it (no `init`). */
  manifest(): Promise<GuestManifest>;
  /** Manifest problems that did not stop the load (unknown capabilities, dropped elements). */
  readonly warnings: readonly ProtocolWarning[];
  /** Runs the load sequence (manifest checks, `set_config`, `init`). Other calls do it first when needed. */
  init(): Promise<ProtocolPlugin>;
  /** Runs a command; `callChain` continues a cross-plugin chain (ids outermost first, ending with this plugin). */
  command(
    name: string,
    params?: JsonValue | null,
    options?: { callChain?: readonly string[] },
  ): Promise<CommandResponse>;
  /** Sends an event; resolves to the guest's failure (logged by a real host), or null. */
  event(type: string, payload?: JsonValue): Promise<PlinthError | null>;
  /** Calls `get_config` (after the load sequence) and answers the plugin's config. */
  getConfig(): Promise<JsonObject>;
  /** Calls `set_config` with the config (after the load sequence) and answers what the guest reconciled. */
  setConfig(config: JsonObject | null): Promise<ConfigReconcile>;
  /** Calls any export with raw input, bypassing the protocol layer. */
  callRaw(exportName: string, input?: string | Uint8Array): Promise<LaneCallResult>;
  /**
   * Every guest call made through `manifest`, `command`, `event`, `getConfig`, `setConfig` and `callRaw`,
   * in order, with how it ended and the fuel it used (the load sequence and `shutdown` are not listed).
   */
  readonly calls: readonly HarnessCall[];
  /** The last entry of `calls`. */
  readonly lastCall: HarnessCall | undefined;
  /** Fuel used by the latest call of `command`; undefined when it never reached the guest or ran unmetered. */
  fuelOf(command: string): number | undefined;
  /** Swaps the plugin's permissions (same forms as the `policy` option); later calls see the new ones. */
  setPolicy(policy: HarnessPolicy): void;
  /** Every `host_plugin_command` the harness refused for its chain: a self-call, the depth limit, a cycle. */
  readonly crossPluginRefusals: readonly CrossPluginRefusal[];
  /** Every host call so far, with its permission decisions. */
  readonly hostCalls: readonly TranscriptHostCall[];
  /** Payloads the plugin emitted with `host_emit_event`. */
  readonly emittedEvents: readonly JsonValue[];
  /** File events of the plugin's writes and deletes. */
  readonly fileEvents: readonly FileEvent[];
  /** Lines the plugin logged, and what the protocol layer logged about it. */
  readonly logs: readonly { level: string; message: string }[];
  readonly hostLogs: readonly ProtocolLogEntry[];
  /** The host-call transcript, to save and replay later. */
  transcript(): Transcript;
  /** The workspace as it is now, each file decoded as UTF-8 (invalid bytes become U+FFFD), by path. */
  files(): Record<string, string>;
  readonly workspace: MemoryWorkspaceFiles;
  /** The plugin's own storage values, decoded as UTF-8, by key. */
  storage(): Record<string, string>;
  readonly stores: {
    storage: MemoryKeyValueStore;
    secrets: MemorySecretStore;
    namespaces: MemoryNamespaceStore;
  };
  readonly http: RouteTableTransport;
  /** The WASI runner twin, with every run the plugin asked for. */
  readonly wasi: ScriptedWasiRunner;
  /** The WebSocket twin: the server the plugin connects to, its reconnect timers and its connection. */
  readonly ws: HarnessWs;
  readonly basics: MemoryBasics;
  /**
   * What the harness serves, capability by capability (host-kit's `coverage`): the twins, or the replayed
   * transcript, plus `hostFunctions`.
   */
  coverage(): CapabilityCoverage[];
  /** Present with the `replay` option: the calls the transcript could not answer. */
  readonly replayed?: ReplayBundle;
  /** Shuts the plugin down (`shutdown`) and frees it. */
  close(): Promise<void>;
}

/** The harness's WebSocket twin, as a test drives it. */
export interface HarnessWs {
  /** The in-memory server every `host_ws_request` connect reaches. */
  readonly server: MemoryWsServer;
  /** Reconnect timers: nothing reconnects until the test fires them (`timers.fireNext()`). */
  readonly timers: ManualTimers;
  /** What the bundle did: opens, closes, scheduled reconnects, errors, failed deliveries. */
  readonly events: readonly WsBundleEvent[];
  /** The plugin's connection: `open`, `connecting` (including waiting to reconnect) or `none`. */
  state(): 'open' | 'connecting' | 'none';
  /** Resolves once every frame and lifecycle call delivered so far has run in the guest. */
  idle(): Promise<void>;
}

const decoder = new TextDecoder();
/** What `readModule` answers for a module scripted by key: an empty module, which the twin never runs. */
const SCRIPTED_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** One plugin's rules, as a policy file writes them (`exclude` and `quota_bytes` optional). */
export type HarnessRules = Partial<
  Record<
    PermissionType,
    { include?: readonly string[]; exclude?: readonly string[]; quota_bytes?: number | undefined } | undefined
  >
>;
/** The plugin's rules, a whole policy document (`{ plugins: { … } }`), or `'allow-all'`. */
export type HarnessPolicy = HarnessRules | { plugins: Readonly<Record<string, unknown>> } | 'allow-all';

const isPolicyDocument = (value: HarnessRules | { plugins: unknown }): value is { plugins: unknown } =>
  typeof (value as { plugins?: unknown }).plugins === 'object';

/**
 * Loads a plugin against in-memory twins of every host bundle — workspace files, storage, secrets,
 * namespaces, HTTP routes, WASI modules, a WebSocket server, log, clock, events, runtime context — with a
 * real permission checker, and
 * records every host call with the permission decisions it caused.
 */
export async function createPluginHarness(options: PluginHarnessOptions): Promise<PluginHarness> {
  checkOptions('createPluginHarness', pluginHarnessOptionsSchema, options);
  const bytes = typeof options.wasm === 'string' ? new Uint8Array(readFileSync(options.wasm)) : options.wasm;
  const source = { bytes };
  const hostAppVersion = options.hostAppVersion ?? '1.0.0';
  const lane: LaneFactory =
    (options.lane ?? (options.httpRoutes || options.wasiModules ? 'isolated' : 'in-thread')) === 'isolated'
      ? createIsolatedLane
      : createInThreadLane;
  const fuel = options.fuel ?? true;
  const limits = options.limits ?? {};
  const guestCalls = createGuestCallRecorder();

  const manifestReading = await readManifest();
  const pluginId = manifestReading.manifest.id;

  const policyStore = new PolicyStore();
  let allowAll = false;
  const setPolicy = (policy: HarnessPolicy): void => {
    allowAll = policy === 'allow-all';
    if (policy === 'allow-all') return;
    policyStore.set(isPolicyDocument(policy) ? policy : { plugins: { [pluginId]: { permissions: policy } } });
  };
  setPolicy(options.policy ?? manifestReading.manifest.requested_permissions?.defaults ?? {});

  const recorder = createHostCallRecorder();
  const policyChecker = createPolicyChecker({ policy: policyStore, audit: recorder.audit });
  const allowAllChecker = createAllowAllChecker({ audit: recorder.audit });
  const permissions: PermissionChecker = {
    check: (request) => (allowAll ? allowAllChecker : policyChecker).check(request),
    checkAsync: (request) => (allowAll ? allowAllChecker : policyChecker).checkAsync(request),
  };

  const fileEvents: FileEvent[] = [];
  const fs = createMemoryFsBundle({
    permissions,
    initialFiles: options.files ?? {},
    onFileEvent: (event) => fileEvents.push(event),
  });
  const stores = {
    storage: createMemoryKeyValueStore(),
    secrets: createMemorySecretStore(),
    namespaces: createMemoryNamespaceStore(),
  };
  const quotaFor = storageQuotaFromPolicy(policyStore);
  const http = createRouteTableTransport(options.httpRoutes ?? []);
  const basics = createMemoryBasics({
    clock: createManualClock(options.clockStartMs ?? 1_700_000_000_000),
    ...(options.runtimeContext ? { runtimeContext: () => options.runtimeContext ?? {} } : {}),
  });
  const crossPluginRefusals: CrossPluginRefusal[] = [];
  const pluginCommand = createPluginCommandBundle({
    permissions,
    neighbours: options.neighbours ?? {},
    onRefusal: (refusal) => crossPluginRefusals.push(refusal),
  });
  const wasi = createScriptedWasiRunner(options.wasiModules ?? []);
  const wasiBundle = createWasiBundle({
    runner: wasi,
    permissions,
    readModule: (id, key) =>
      stores.storage.get(id, key) ??
      (wasi.scripts.some((script) => script.module === key) ? SCRIPTED_MODULE : undefined),
    // Below the call's own timeout, as the Node host sets it, so the guest gets the W timeout answer.
    timeoutMs: Math.max(
      1,
      Math.min(
        DEFAULT_WASI_LIMITS.timeoutMs,
        Math.floor((limits.timeoutMs ?? DEFAULT_LIMITS.timeoutMs) * 0.8),
      ),
    ),
  });
  let closing = false;
  let wsDeliveries = 0;
  const wsEvents: WsBundleEvent[] = [];
  const wsServer = createMemoryWsServer(options.wsServer ?? {});
  const wsTimers = createManualTimers();
  const wsBundle = createWsBundle({
    connector: wsServer.connector,
    permissions,
    timers: wsTimers,
    onEvent: (event) => wsEvents.push(event),
    deliver: async (_id, exportName, input) => {
      wsDeliveries += 1;
      // A frame (or on_disconnected) after close has nobody to go to, as in a host after an unload.
      if (closing) return;
      const opened = await init();
      if (opened.hasExport(exportName)) await opened.callRaw(exportName, input);
    },
  });
  const ws: HarnessWs = {
    server: wsServer,
    timers: wsTimers,
    events: wsEvents,
    state: () => wsBundle.state(pluginId),
    async idle() {
      // Until a round starts no new delivery: a delivered frame may make the guest send, and the server answer.
      for (;;) {
        const before = wsDeliveries;
        await new Promise((resolve) => setImmediate(resolve));
        await wsBundle.idle(pluginId);
        if (wsDeliveries === before) return;
      }
    },
  };
  const twins = combineBundles(
    fs.bundle,
    createStorageBundle({ store: stores.storage, permissions, quotaFor }),
    createSecretsBundle({ secrets: stores.secrets, permissions, quotaFor }),
    createNamespacesBundle({ store: stores.namespaces, permissions, quotaFor, clock: basics.clock.now }),
    createHttpBundle({ transport: http, permissions }),
    wasiBundle,
    wsBundle.bundle,
    basics.bundle,
    pluginCommand,
  );
  const replayed = options.replay ? createReplayBundle(options.replay) : undefined;
  const served: HostBundle = { ...(replayed ? replayed.bundle : twins), ...options.hostFunctions };
  const bundle = recorder.wrap(served);

  const hostLogs: ProtocolLogEntry[] = [];
  let plugin: Promise<ProtocolPlugin> | undefined;
  const init = (): Promise<ProtocolPlugin> =>
    (plugin ??= openProtocolPluginFrom({
      source,
      hostAppVersion,
      bundle,
      limits,
      fuel,
      lane: guestCalls.wrapLane(lane),
      cachedManifest: manifestReading.manifest,
      initContext: { workspace_root: MEMORY_WORKSPACE_ROOT } satisfies InitContext,
      onHostCall: recorder.onHostCall,
      log: (entry) => hostLogs.push(entry),
      ...(options.extismConfig ? { config: options.extismConfig } : {}),
      ...(options.expectedId ? { expectedId: options.expectedId } : {}),
      ...(options.config ? { storedConfig: options.config } : {}),
    }));

  /** The manifest as a host reads it: the runtime's checked reader, on the load budget. */
  async function readManifest(receipt?: CallReceipt) {
    const generic = await openPlugin({
      source,
      limits,
      fuel,
      lane,
      ...(options.extismConfig ? { config: options.extismConfig } : {}),
    });
    try {
      return await readGuestManifest({
        lane: generic.lane,
        manifestMaxBytes: DEFAULT_MANIFEST_MAX_BYTES,
        ...(options.expectedId ? { expectedId: options.expectedId } : {}),
        ...(receipt ? { receipt } : {}),
      });
    } finally {
      await generic.close();
    }
  }

  const { record } = guestCalls;
  return {
    manifest: () =>
      record({ exportName: 'manifest' }, (receipt) => readManifest(receipt)).then(
        (reading) => reading.manifest,
      ),
    warnings: manifestReading.warnings,
    init,
    async command(name, params = null, commandOptions = {}) {
      const opened = await init();
      const callOptions = commandOptions.callChain ? { callChain: commandOptions.callChain } : undefined;
      return record({ exportName: 'handle_command', command: name }, () =>
        opened.command(name, params, callOptions),
      );
    },
    async event(type, payload = {}) {
      const opened = await init();
      return record(
        { exportName: 'on_event', event: type },
        () => opened.event({ event_type: type, payload }),
        (failure) => failure,
      );
    },
    async getConfig() {
      const opened = await init();
      return record({ exportName: 'get_config' }, () => opened.getConfig());
    },
    async setConfig(config) {
      const opened = await init();
      return record({ exportName: 'set_config' }, () => opened.setConfig(config));
    },
    async callRaw(exportName, input = '') {
      const opened = await init();
      return record({ exportName }, () => opened.callRaw(exportName, input));
    },
    calls: guestCalls.calls,
    get lastCall() {
      return guestCalls.calls.at(-1);
    },
    fuelOf: (command) => guestCalls.calls.findLast((call) => call.command === command)?.fuelUsed,
    setPolicy,
    crossPluginRefusals,
    hostCalls: recorder.hostCalls,
    get emittedEvents() {
      return basics.events.events.map((event) => event.payload);
    },
    fileEvents,
    get logs() {
      return basics.log.entries.map(({ level, message }) => ({ level, message }));
    },
    hostLogs,
    transcript: () => ({
      ...recorder.toTranscript(pluginId),
      calls: guestCalls.calls.map((call) => ({ ...call })),
    }),
    files: () => fs.files.snapshotText(),
    workspace: fs.files,
    storage: () =>
      Object.fromEntries(
        stores.storage
          .snapshot()
          .filter((entry) => entry.pluginId === pluginId)
          .map((entry) => [entry.key, decoder.decode(entry.value)]),
      ),
    stores,
    http,
    wasi,
    ws,
    basics,
    coverage: () => coverage(served),
    ...(replayed ? { replayed } : {}),
    async close() {
      closing = true;
      wsBundle.close();
      if (plugin === undefined) return;
      const opened = await plugin.catch(() => undefined);
      plugin = undefined;
      await opened?.shutdown();
    },
  };
}
