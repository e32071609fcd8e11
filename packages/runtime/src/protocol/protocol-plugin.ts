import {
  assertJsonDepth,
  checkOptions,
  decodeConfigReconcile,
  formatPath,
  PlinthError,
  pluginConfigPayload,
  SHUTDOWN_INPUT,
  type AnyGuestEvent,
  type CommandResponse,
  type ConfigReconcile,
  type GuestEvent,
  type GuestManifest,
  type InitContext,
  type JsonObject,
  type JsonValue,
  type PlinthErrorCode,
  type PlinthErrorContext,
  type ProtocolWarning,
} from '@plinth/protocol';
import { describeCall } from '../call-errors.js';
import { LIMIT_CODES } from '../limit-codes.js';
import type { CallReceipt, HostCallContext } from '@plinth/host-kit';
import type { Lane, LaneCallResult } from '../lanes/lane.js';
import type { CommandCallOptions, ExportCallOptions } from '../registry/plugin-handle.js';
import { createCommandRequestEncoder, type CommandRequestEncoder } from './command-request.js';
import { readCommandResponse } from './command-response.js';
import { expectPayload, outputText } from './guest-output.js';
import {
  checkManifest,
  DEFAULT_MANIFEST_MAX_BYTES,
  readManifest,
  type ManifestReading,
} from './load-manifest.js';
import type { ProtocolLog } from './protocol-log.js';
import { protocolPluginOptionsSchema } from '../options/loading-options.js';

/** Options of `ProtocolPlugin.open`: a lane over the checked module, and what the load sequence needs. */
export interface ProtocolPluginOptions {
  /** A lane over the plugin's checked module. It belongs to the plugin from now on: closed on failure. */
  lane: Lane;
  /** The embedding app's version, compared with the manifest's `min_app_version`. Strict semver. */
  hostAppVersion: string;
  /** The id the plugin is installed under (its directory name); the manifest id must equal it. */
  expectedId?: string | undefined;
  /** The config stored in the host's sidecar; sent to `set_config` before `init` when a non-empty object. */
  storedConfig?: JsonObject | null | undefined;
  initContext: InitContext;
  log?: ProtocolLog | undefined;
  /** A manifest cached for these exact module bytes: skips the `manifest` call, not the host checks. */
  cachedManifest?: GuestManifest | undefined;
  /** Largest `manifest` output read, in bytes. Default 1 MiB. */
  manifestMaxBytes?: number | undefined;
}

/**
 * Limit errors during `set_config` or `init` fail the load instead of being logged: the lane may have
 * recycled the instance (the isolated lane replaces it after a timeout), so whatever the guest set up is
 * gone, and a guest that spins at init would spin again. Ordinary guest errors and traps are tolerated, as
 * PROTOCOL.md asks.
 */
const LOAD_FATAL_CODES: ReadonlySet<PlinthErrorCode> = new Set<PlinthErrorCode>([...LIMIT_CODES, 'closed']);

/**
 * One protocol guest (PROTOCOL.md sections 2 and 3) on top of a lane: the load sequence, then commands,
 * events, config and shutdown. The plugin id is the manifest id, fixed for the instance's life.
 */
export class ProtocolPlugin {
  readonly id: string;
  readonly version: string;
  readonly manifest: GuestManifest;
  /** Manifest problems that did not stop the load (unknown capabilities, dropped ui elements, …). */
  readonly warnings: readonly ProtocolWarning[];
  readonly #lane: Lane;
  readonly #log: ProtocolLog;
  #config: JsonObject | null;
  #loadReconcile: ConfigReconcile | null = null;
  #shutdown: Promise<void> | undefined;
  /** The CommandRequest encoder of each command that reaches the guest, made once. */
  readonly #commandRequests: ReadonlyMap<string, CommandRequestEncoder>;
  readonly #commandErrorContext: PlinthErrorContext;
  readonly #commandCallContext: HostCallContext;
  readonly #decodeCommandOutput = (output: Uint8Array | null): CommandResponse =>
    readCommandResponse(output, this.#commandErrorContext);
  readonly #readCommandOutput = ({ output }: LaneCallResult): CommandResponse =>
    this.#decodeCommandOutput(output);

  private constructor(lane: Lane, reading: ManifestReading, options: ProtocolPluginOptions) {
    this.#lane = lane;
    this.#log = options.log ?? (() => undefined);
    this.manifest = reading.manifest;
    this.id = reading.manifest.id;
    this.version = reading.manifest.version;
    this.warnings = reading.warnings;
    this.#config = options.storedConfig ?? null;
    this.#commandErrorContext = this.#context('handle_command');
    this.#commandCallContext = {
      pluginId: this.id,
      pluginVersion: this.version,
      exportName: 'handle_command',
      callChain: undefined,
    };
    const { commands } = reading.manifest;
    this.#commandRequests = new Map(
      this.#commandsUnreachableReason() === null
        ? commands.map((command) => [
            command,
            createCommandRequestEncoder(command, this.#commandErrorContext),
          ])
        : [],
    );
  }

  /** Runs the load sequence. On failure the lane is closed and the typed load error is thrown. */
  static async open(options: ProtocolPluginOptions): Promise<ProtocolPlugin> {
    try {
      checkOptions('ProtocolPlugin.open', protocolPluginOptionsSchema, options);
    } catch (error) {
      // The lane is the plugin's now, so bad options close it too, when there is a lane to close.
      const given = (options as Partial<ProtocolPluginOptions> | undefined)?.lane;
      if (typeof given?.close === 'function') await given.close().catch(() => undefined);
      throw error;
    }
    const { lane, expectedId } = options;
    try {
      const manifestMaxBytes = options.manifestMaxBytes ?? DEFAULT_MANIFEST_MAX_BYTES;
      const reading: ManifestReading = options.cachedManifest
        ? { manifest: options.cachedManifest, warnings: [] }
        : await readManifest({ lane, expectedId, manifestMaxBytes });
      checkManifest(reading.manifest, { hostAppVersion: options.hostAppVersion, expectedId });
      const plugin = new ProtocolPlugin(lane, reading, options);
      plugin.#logWarnings();
      await plugin.#start(options.storedConfig, options.initContext);
      return plugin;
    } catch (error) {
      await lane.close().catch(() => undefined);
      throw error;
    }
  }

  /** What `set_config` answered to the stored config at load; a permission request in it is not applied. */
  get loadReconcile(): ConfigReconcile | null {
    return this.#loadReconcile;
  }

  /** Whether `command(name)` reaches the guest: listed in `commands`, with `custom_commands` declared. */
  handles(name: string): boolean {
    return this.#commandRequests.has(name);
  }

  /**
   * Runs a declared command. A guest's own failure is a CommandResponse with `success: false` (see
   * `commandErrorKind`); an undeclared command is `not_handled` and params nested deeper than
   * MAX_JSON_DEPTH (or not JSON at all) are `invalid_params`, both without calling the guest; output that
   * is missing, not UTF-8, not a CommandResponse or nested too deep is `invalid_output`.
   */
  command(
    name: string,
    params: JsonValue | null = null,
    options?: CommandCallOptions,
  ): Promise<CommandResponse> {
    // Not async, and nothing allocated per call that can be made once per instance: this is the hot path
    // of every command (see bench/in-thread.bench.ts).
    const encoder = this.#commandRequests.get(name);
    if (encoder === undefined) return Promise.reject(this.#notHandledError(name));
    let request: Uint8Array;
    try {
      request = encoder.encode(params);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const callChain = options?.callChain;
    const requestFiles = options?.requestFiles;
    const receipt = options?.receipt;
    // A fresh context for a call that carries its own files or receipt: the lane hands it to every host
    // function and fills in the receipt.
    const context =
      requestFiles !== undefined || receipt !== undefined
        ? { ...this.#commandCallContext, callChain, requestFiles, receipt }
        : callChain === undefined
          ? this.#commandCallContext
          : { ...this.#commandCallContext, callChain };
    const lane = this.#lane;
    // A lane that decodes for us saves the promise step a `.then` of our own would add.
    return lane.callDecoded
      ? lane.callDecoded('handle_command', request, context, this.#decodeCommandOutput)
      : lane.call('handle_command', request, context).then(this.#readCommandOutput);
  }

  /** Delivers an event to `on_event` when exported. A failure is logged and returned, never thrown. */
  async event(event: GuestEvent | AnyGuestEvent): Promise<PlinthError | null> {
    if (!this.#lane.hasExport('on_event')) return null;
    try {
      await this.#call('on_event', JSON.stringify(event));
      return null;
    } catch (error) {
      return this.#logFailure(error, 'on_event');
    }
  }

  /** The guest's `get_config` when exported, else the host's copy (the stored config, or `{}`). */
  async getConfig(): Promise<JsonObject> {
    if (!this.#lane.hasExport('get_config')) return this.#config ?? {};
    const context = this.#context('get_config');
    const { output } = await this.#call('get_config', '');
    const decoded = pluginConfigPayload.decode(outputText(output, context, 'config object'));
    // The payload is declared without a type parameter; its schema is jsonObjectSchema.
    return expectPayload(decoded, context) as JsonObject;
  }

  /**
   * Sends new config to `set_config` and returns its ConfigReconcile (empty output = `{}`). A
   * `permission_request` in it is surfaced to the caller, never applied here. Unlike at load, a failure is
   * thrown: the caller that changed the config needs to know the guest refused it.
   */
  async setConfig(config: JsonObject | null): Promise<ConfigReconcile> {
    if (!this.#lane.hasExport('set_config')) {
      this.#config = config;
      return {};
    }
    const reconcile = await this.#sendConfig(config);
    this.#config = isObject(reconcile.config) ? reconcile.config : config;
    return reconcile;
  }

  /** The guest's linear memory size in bytes, as its lane reports it. */
  memoryBytes(): number | undefined {
    return this.#lane.memoryBytes?.();
  }

  /** Calls `shutdown` with `{}` when exported (a failure is logged), then closes the lane. Idempotent. */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      if (this.#lane.hasExport('shutdown')) {
        await this.#call('shutdown', SHUTDOWN_INPUT).catch((error: unknown) => {
          this.#logFailure(error, 'shutdown');
        });
      }
      await this.#lane.close();
    })();
    return this.#shutdown;
  }

  /** Calls any export with raw input; no protocol decoding. */
  callRaw(exportName: string, input: Uint8Array | string): Promise<LaneCallResult> {
    return this.#call(exportName, input);
  }

  /** `callRaw`'s output alone: what a PluginHandle offers for raw exports (WebSocket frames, …). */
  async callExport(
    exportName: string,
    input: string | Uint8Array,
    options?: ExportCallOptions,
  ): Promise<Uint8Array | null> {
    return (await this.#call(exportName, input, undefined, undefined, options?.receipt)).output;
  }

  /** Whether the module exports `name`. */
  hasExport(name: string): boolean {
    return this.#lane.hasExport(name);
  }

  async #start(storedConfig: JsonObject | null | undefined, initContext: InitContext): Promise<void> {
    if (
      isObject(storedConfig) &&
      Object.keys(storedConfig).length > 0 &&
      this.#lane.hasExport('set_config')
    ) {
      try {
        this.#loadReconcile = await this.#sendConfig(storedConfig);
      } catch (error) {
        this.#tolerateAtLoad(error, 'set_config');
      }
    }
    if (this.#lane.hasExport('init')) {
      await this.#call('init', JSON.stringify(initContext), undefined, 'load').catch((error: unknown) => {
        this.#tolerateAtLoad(error, 'init');
      });
    }
  }

  async #sendConfig(config: JsonObject | null): Promise<ConfigReconcile> {
    const context = this.#context('set_config');
    // Bounded first: JSON.stringify overflows the stack on a config nested some thousands of levels deep.
    assertJsonDepth(config, { ...context, subject: `${describeCall(context)} config` });
    const { output } = await this.#call('set_config', JSON.stringify(config));
    const text = output === null ? '' : outputText(output, context, 'ConfigReconcile');
    return expectPayload(decodeConfigReconcile(text), context);
  }

  #tolerateAtLoad(error: unknown, exportName: string): void {
    if (PlinthError.isInstance(error) && LOAD_FATAL_CODES.has(error.code)) throw error;
    this.#logFailure(error, exportName);
  }

  #logFailure(error: unknown, exportName: string): PlinthError {
    const context = this.#context(exportName);
    const failure = PlinthError.isInstance(error)
      ? error
      : new PlinthError('trap', `${describeCall(context)} failed: ${String(error)}`, {
          ...context,
          cause: error,
        });
    this.#log({ level: 'error', message: `${failure.message}; ignored`, ...context, error: failure });
    return failure;
  }

  #logWarnings(): void {
    const context = this.#context('manifest');
    for (const warning of this.warnings) {
      this.#log({
        level: 'warn',
        message: `${describeCall(context)} at ${formatPath(warning.path)}: ${warning.message}`,
        ...context,
      });
    }
  }

  #notHandledError(name: string): PlinthError {
    const context = this.#context('handle_command');
    const reason =
      (this.manifest.commands.includes(name) && this.#commandsUnreachableReason()) ||
      'the manifest does not list it in commands';
    return new PlinthError(
      'not_handled',
      `${describeCall(context)} does not handle command ${JSON.stringify(name)}: ${reason}`,
      context,
    );
  }

  /** Why no command reaches the guest, or null when declared ones do. */
  #commandsUnreachableReason(): string | null {
    if (!this.manifest.capabilities.includes('custom_commands')) {
      return 'the manifest does not declare the custom_commands capability';
    }
    if (!this.#lane.hasExport('handle_command')) return 'the module does not export handle_command';
    return null;
  }

  #call(
    exportName: string,
    input: Uint8Array | string,
    callChain?: readonly string[],
    phase?: 'load',
    receipt?: CallReceipt,
  ): Promise<LaneCallResult> {
    const context: HostCallContext = {
      pluginId: this.id,
      pluginVersion: this.version,
      exportName,
      callChain,
      ...(phase ? { phase } : {}),
      ...(receipt ? { receipt } : {}),
    };
    return this.#lane.call(exportName, input, context);
  }

  #context(exportName: string): PlinthErrorContext & { exportName: string } {
    return { pluginId: this.id, pluginVersion: this.version, exportName };
  }
}

/** Function form of `ProtocolPlugin.open`. */
export function openProtocolPlugin(options: ProtocolPluginOptions): Promise<ProtocolPlugin> {
  return ProtocolPlugin.open(options);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
