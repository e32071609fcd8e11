import type { GuestManifest, InitContext, JsonObject } from '@plinth/protocol';
import type { HostBundle, HostCallContext } from './host/host-bundle.js';
import type { HostCallRecord } from './host/host-functions.js';
import { createInThreadLane } from './lanes/in-thread-lane.js';
import type { Lane, LaneFactory } from './lanes/lane.js';
import { resolveLimits, type PluginLimits } from './limits.js';
import { loadModule, type LoadModuleOptions, type LoadedModule } from './loader/load-module.js';
import type { ModuleSource } from './loader/module-source.js';
import { ProtocolPlugin, type ProtocolPluginOptions } from './protocol/protocol-plugin.js';

export interface OpenPluginOptions extends Omit<LoadModuleOptions, 'limits'> {
  source: ModuleSource;
  limits?: Partial<PluginLimits>;
  /** Host functions; every catalogue function left out answers "not available". */
  bundle?: HostBundle;
  /**
   * Where the instance runs: the in-thread lane by default (trusted code; synchronous host functions);
   * `createIsolatedLane` from `@plinth/runtime/node` for anything installed from outside.
   */
  lane?: LaneFactory;
  /** Extism config, read by guests with `config_get`. */
  config?: Readonly<Record<string, string>>;
  onHostCall?: (record: HostCallRecord, context: HostCallContext) => void;
  onHandlerError?: (error: unknown, functionName: string, context: HostCallContext) => void;
}

/** Any Extism plugin, called by export name with bytes or text in and out. */
export interface GenericPlugin {
  readonly loaded: LoadedModule;
  readonly lane: Lane;
  hasExport(name: string): boolean;
  /** Calls an export; resolves to its output bytes, or null when it set none. */
  call(exportName: string, input?: Uint8Array | string): Promise<Uint8Array | null>;
  /** Like `call`, with the output decoded as UTF-8 (invalid bytes become U+FFFD). */
  callText(exportName: string, input?: Uint8Array | string): Promise<string | null>;
  close(): Promise<void>;
}

async function openLane(options: OpenPluginOptions): Promise<{ loaded: LoadedModule; lane: Lane }> {
  const limits = resolveLimits(options.limits);
  const { source, bundle, lane: laneFactory, config, onHostCall, onHandlerError, ...loadOptions } = options;
  const loaded = await loadModule(source, { ...loadOptions, limits });
  const lane = await (laneFactory ?? createInThreadLane)({
    module: loaded.module,
    bundle: bundle ?? {},
    limits,
    ...(config ? { config } : {}),
    ...(options.allowWasi ? { allowWasi: true } : {}),
    ...(onHostCall ? { onHostCall } : {}),
    ...(onHandlerError ? { onHandlerError } : {}),
  });
  return { loaded, lane };
}

/** The generic layer: load, check and instantiate any Extism plugin. */
export async function openPlugin(options: OpenPluginOptions): Promise<GenericPlugin> {
  const { loaded, lane } = await openLane(options);
  const context = { pluginId: options.pluginId ?? '', pluginVersion: options.pluginVersion, exportName: '' };
  const decoder = new TextDecoder();
  const call = async (exportName: string, input: Uint8Array | string = '') =>
    (await lane.call(exportName, input, { ...context, exportName })).output;
  return {
    loaded,
    lane,
    hasExport: (name) => lane.hasExport(name),
    call,
    async callText(exportName, input) {
      const output = await call(exportName, input);
      return output === null ? null : decoder.decode(output);
    },
    close: () => lane.close(),
  };
}

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
