import type { PermissionChecker } from '@plinth/permissions';
import {
  checkOptions,
  PlinthError,
  type GuestManifest,
  type InitContext,
  type JsonObject,
} from '@plinth/protocol';
import {
  limitsFromManifest,
  snakeCaseManifest,
  extismManifestSchema,
  type ExtismManifest,
} from './generic/extism-manifest.js';
import type { ExtismLogLevel, ExtismLogSink } from './generic/guest-functions.js';
import { extismHttpEntries } from './generic/extism-http.js';
import { loadManifestModules } from './generic/manifest-modules.js';
import type { HttpTransport } from '@plinth/host-kit';
import { listUserFunctions, type UserFunctions } from './generic/user-functions.js';
import type { CallReceipt, HostBundle, HostCallContext } from '@plinth/host-kit';
import type { HostCallRecord } from './host/host-functions.js';
import { createInThreadLane } from './lanes/in-thread-lane.js';
import type { Lane, LaneFactory, LinkedModule } from './lanes/lane.js';
import { resolveLimits, type PluginLimits } from './limits.js';
import { loadCheckedModule, type LoadModuleOptions, type LoadedModule } from './loader/load-module.js';
import type { ModuleSource } from './loader/module-source.js';
import { openPluginOptionsSchema, openProtocolPluginOptionsSchema } from './options/loading-options.js';
import type { WasiFactory, WasiMount } from './lanes/wasi.js';
import { ProtocolPlugin, type ProtocolPluginOptions } from './protocol/protocol-plugin.js';

/** Options of `openPlugin`: where the module comes from, how it is checked and limited, and where it runs. */
export interface OpenPluginOptions extends Omit<
  LoadModuleOptions,
  'limits' | 'userFunctions' | 'linkedExports' | 'ownWasi'
> {
  /** Where the module comes from; or give `manifest` instead. */
  source?: ModuleSource;
  /**
   * An Extism manifest instead of `source`: its modules (linked by name), memory limits, config and timeout
   * (snake_case as Extism writes it, or the JavaScript SDK's camelCase). `limits` and `config` given here
   * override what it sets.
   */
  manifest?: ExtismManifest | Readonly<Record<string, unknown>>;
  /**
   * Where Extism's `http_request` goes for a manifest with `allowed_hosts` (isolated lane): the transport
   * `host_http_request` uses, e.g. `createNodeHttpTransport()` from `@plinth/host-node/http`.
   */
  httpTransport?: HttpTransport;
  /**
   * The app's own check of each `http_request` hop, on top of `allowed_hosts` (e.g. a host's policy
   * checker, so its `http_requests` grants and recorded denials apply to generic plugins too).
   */
  httpPermissions?: PermissionChecker;
  /** Reads a manifest's `path` entries (e.g. `readFile` from `node:fs/promises`). */
  readPath?: (path: string) => Promise<Uint8Array>;
  limits?: Partial<PluginLimits>;
  /**
   * The app's own host functions, as the Extism SDK takes them: `{ 'extism:host/user': { kv_read(ctx,
   * offset) { … return ctx.store(value) } } }`. Synchronous in both lanes; promises in the isolated lane.
   */
  functions?: UserFunctions;
  /** Where the guest's `log_*` lines go (with their level); without it they are dropped, never printed. */
  guestLog?: ExtismLogSink;
  /** The least severe guest log level delivered. Default `info`. */
  logLevel?: ExtismLogLevel | 'silent';
  /** Host functions; every catalogue function left out answers "not available". */
  bundle?: HostBundle;
  /**
   * Where the instance runs: the in-thread lane by default (trusted code; synchronous host functions);
   * `createIsolatedLane` from `@plinth/runtime/node` for anything installed from outside.
   */
  lane?: LaneFactory;
  /** Extism config, read by guests with `config_get`. */
  config?: Readonly<Record<string, string>>;
  /**
   * Serve WASI with Plinth's own: `nodeWasi` from `@plinth/runtime/node`. Then the manifest's
   * `allowed_paths` (`{ "<host folder>": "<guest path>" }`, a `ro:` prefix on the host folder for read-only)
   * are mounted, stdout and stderr lines go to `guestLog` (sources `stdout` and `stderr`, levels info and
   * warn), and `proc_exit` fails the call with `guest_exit` carrying the code. Implies `allowWasi`. Without
   * it, `allowWasi` gives @extism/extism's WASI (no folders, output dropped).
   */
  wasi?: WasiFactory;
  /** Hears of every catalogue host call once it is served (not calls to the app's own `functions`). */
  onHostCall?: (record: HostCallRecord, context: HostCallContext) => void;
  /**
   * A host function threw. A catalogue one answers the guest its failure shape; one of `functions` fails the
   * call with `host_function_failed`. Either way this hears of the error.
   */
  onHandlerError?: (error: unknown, functionName: string, context: HostCallContext) => void;
}

/** Any Extism plugin, called by export name with bytes or text in and out. */
export interface GenericPlugin {
  readonly loaded: LoadedModule;
  readonly lane: Lane;
  /** Whether the module exports `name`; calling any other name rejects `not_handled`. */
  hasExport(name: string): boolean;
  /**
   * Calls an export; resolves to its output bytes, or null when it set none. `hostContext` is handed to
   * the app's host functions for this call (Extism's host context).
   */
  call(
    exportName: string,
    input?: Uint8Array | string,
    options?: GenericCallOptions,
  ): Promise<Uint8Array | null>;
  /** Like `call`, with the output decoded as UTF-8 (invalid bytes become U+FFFD). */
  callText(
    exportName: string,
    input?: Uint8Array | string,
    options?: GenericCallOptions,
  ): Promise<string | null>;
  /** Waits for calls in flight, then frees the instance; later calls reject `closed`. */
  close(): Promise<void>;
}

/** Per-call options of `GenericPlugin.call` and `callText`. */
export interface GenericCallOptions {
  /** The value the app's host functions get from `context.hostContext()` during this call. */
  hostContext?: unknown;
  /** Filled in when the call ends: the fuel it used, for a metered plugin (`fuel: true`). */
  receipt?: CallReceipt | undefined;
}

async function openLane(options: OpenPluginOptions): Promise<{ loaded: LoadedModule; lane: Lane }> {
  const {
    source,
    manifest: manifestInput,
    readPath,
    bundle,
    lane: laneFactory,
    config: configOption,
    onHostCall,
    onHandlerError,
    functions,
    guestLog,
    logLevel,
    httpTransport,
    httpPermissions,
    limits: limitsOption,
    wasi: wasiFactory,
    ...loadOptions
  } = options;
  const manifest = manifestInput === undefined ? undefined : readManifest(manifestInput);
  const mounts = wasiMounts(manifest?.allowed_paths);
  if (mounts.length > 0 && wasiFactory === undefined) {
    throw new PlinthError(
      'invalid_options',
      'openPlugin: manifest.allowed_paths needs the wasi option (nodeWasi from @plinth/runtime/node), which mounts the folders',
    );
  }
  if (wasiFactory !== undefined && manifest !== undefined && manifest.wasm.length > 1) {
    throw new PlinthError(
      'invalid_options',
      "openPlugin: Plinth's WASI (the wasi option) serves single-module plugins; a manifest with linked modules can use allowWasi (the SDK's WASI, without folders)",
    );
  }
  if (loadOptions.fuel === true && manifest !== undefined && manifest.wasm.length > 1) {
    throw new PlinthError(
      'invalid_options',
      'openPlugin: fuel metering covers single-module plugins; a manifest with linked modules runs unmetered in the isolated lane (fuel: false, lane: createIsolatedLane)',
    );
  }
  const limits = resolveLimits({ ...(manifest && limitsFromManifest(manifest)), ...limitsOption });
  const config = manifest?.config === undefined ? configOption : { ...manifest.config, ...configOption };
  const userFunctions = listUserFunctions(functions);
  const policy = {
    ...loadOptions,
    limits,
    userFunctions,
    ...(wasiFactory === undefined ? {} : { ownWasi: true, allowWasi: true }),
  };
  let loaded: LoadedModule;
  let linked: LinkedModule[] = [];
  if (manifest !== undefined) {
    ({ loaded, linked } = await loadManifestModules(
      manifest,
      { ...policy, readPath },
      limits.moduleMaxBytes,
    ));
  } else if (source !== undefined) {
    loaded = await loadCheckedModule(source, policy);
  } else {
    throw new PlinthError('invalid_options', 'openPlugin: give a source or a manifest');
  }
  const allowedHosts = manifest?.allowed_hosts ?? [];
  if (allowedHosts.length > 0 && httpTransport === undefined) {
    throw new PlinthError(
      'invalid_options',
      'openPlugin: manifest.allowed_hosts needs the httpTransport option (e.g. createNodeHttpTransport() from @plinth/host-node/http)',
    );
  }
  const laneFunctions =
    allowedHosts.length > 0 && httpTransport !== undefined
      ? [
          ...userFunctions,
          ...extismHttpEntries({
            allowedHosts,
            transport: httpTransport,
            permissions: httpPermissions,
            responseMaxBytes: limits.httpResponseMaxBytes,
            timeoutMs: limits.httpTimeoutMs,
          }),
        ]
      : userFunctions;
  const lane = await (laneFactory ?? createInThreadLane)({
    module: loaded.module,
    bundle: bundle ?? {},
    limits,
    ...(config ? { config } : {}),
    ...(laneFunctions.length > 0 ? { functions: laneFunctions } : {}),
    ...(linked.length > 0 ? { linked } : {}),
    ...(guestLog ? { guestLog } : {}),
    ...(logLevel ? { logLevel } : {}),
    ...(options.allowWasi || wasiFactory ? { allowWasi: true } : {}),
    ...(wasiFactory ? { wasi: { mounts, create: wasiFactory } } : {}),
    ...(onHostCall ? { onHostCall } : {}),
    ...(onHandlerError ? { onHandlerError } : {}),
  });
  return { loaded, lane };
}

/** The generic layer: load, check and instantiate any Extism plugin. */
export async function openPlugin(options: OpenPluginOptions): Promise<GenericPlugin> {
  checkOptions('openPlugin', openPluginOptionsSchema, options);
  const { loaded, lane } = await openLane(options);
  const context = { pluginId: options.pluginId ?? '', pluginVersion: options.pluginVersion, exportName: '' };
  const decoder = new TextDecoder();
  const call = async (
    exportName: string,
    input: Uint8Array | string = '',
    callOptions: GenericCallOptions = {},
  ) =>
    (
      await lane.call(exportName, input, {
        ...context,
        exportName,
        ...('hostContext' in callOptions ? { hostContext: callOptions.hostContext } : {}),
        ...(callOptions.receipt ? { receipt: callOptions.receipt } : {}),
      })
    ).output;
  return {
    loaded,
    lane,
    hasExport: (name) => lane.hasExport(name),
    call,
    async callText(exportName, input, callOptions) {
      const output = await call(exportName, input, callOptions);
      return output === null ? null : decoder.decode(output);
    },
    close: () => lane.close(),
  };
}

/**
 * Options of `openProtocolPluginFrom`: those of `openPlugin`, plus what the protocol's load sequence needs.
 */
export interface OpenProtocolPluginOptions extends OpenPluginOptions {
  hostAppVersion: string;
  /** The id the plugin must declare (its directory name); a different manifest id is `id_mismatch`. */
  expectedId?: string;
  storedConfig?: JsonObject | null;
  initContext?: InitContext;
  cachedManifest?: GuestManifest;
  log?: ProtocolPluginOptions['log'];
  manifestMaxBytes?: number;
}

/** The protocol layer on top of the generic one: load, check, then manifest, set_config and init. */
export async function openProtocolPluginFrom(options: OpenProtocolPluginOptions): Promise<ProtocolPlugin> {
  checkOptions('openProtocolPluginFrom', openProtocolPluginOptionsSchema, options);
  const pluginId = options.pluginId ?? options.expectedId;
  const { lane } = await openLane({ ...options, ...(pluginId === undefined ? {} : { pluginId }) });
  return ProtocolPlugin.open({
    lane,
    hostAppVersion: options.hostAppVersion,
    initContext: options.initContext ?? { workspace_root: null },
    ...(options.expectedId === undefined ? {} : { expectedId: options.expectedId }),
    ...(options.storedConfig === undefined ? {} : { storedConfig: options.storedConfig }),
    ...(options.cachedManifest === undefined ? {} : { cachedManifest: options.cachedManifest }),
    ...(options.log === undefined ? {} : { log: options.log }),
    ...(options.manifestMaxBytes === undefined ? {} : { manifestMaxBytes: options.manifestMaxBytes }),
  });
}

/** An Extism manifest checked against Extism's schema; camelCase keys read as snake_case. */
function readManifest(input: ExtismManifest | Readonly<Record<string, unknown>>): ExtismManifest {
  return extismManifestSchema.parse(snakeCaseManifest(input));
}

/** Extism's `allowed_paths`: host folder (a `ro:` prefix for read-only) → the path the guest sees it at. */
function wasiMounts(allowedPaths: Readonly<Record<string, string>> | undefined): WasiMount[] {
  return Object.entries(allowedPaths ?? {}).map(([host, guestPath]) =>
    host.startsWith('ro:')
      ? { hostPath: host.slice(3), guestPath, readOnly: true }
      : { hostPath: host, guestPath, readOnly: false },
  );
}
