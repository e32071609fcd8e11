import type { PermissionChecker } from '@plinth/permissions';
import { createDenyAllChecker } from '@plinth/permissions';
import {
  checkOptions,
  PlinthError,
  type AnyGuestEvent,
  type CommandResponse,
  type GuestEvent,
  type GuestManifest,
  type HostFunctionRequest,
  type JsonValue,
  type PlinthErrorCode,
} from '@plinth/protocol';
import type { CallReceipt, CapabilityBundle, HostAnswer, HostCallContext } from '@plinth/host-kit';
import { DEFAULT_FAILURE_POLICY, isPluginFault, type FailurePolicy } from './failure-policy.js';
import { crossPluginRefusal } from './cross-plugin-rules.js';
import type { CommandCallOptions, ExportCallOptions, PluginHandle, PluginOpener } from './plugin-handle.js';
import { Slot } from './slot.js';
import { pluginRegistryOptionsSchema } from '../options/registry-options.js';
import { CallTelemetry } from '../telemetry/call-telemetry.js';
import { recordDenial } from '@plinth/host-kit/engine';

/**
 * `active`: serving calls; `failed`: no instance yet (its first load is still running); `quarantined`: calls
 * are refused (`quarantined`) until the plugin is reloaded.
 */
export type PluginState = 'active' | 'failed' | 'quarantined';

/** A snapshot of one loaded plugin, as `PluginRegistry.get` and `list` answer it. */
export interface PluginInfo {
  id: string;
  version: string | undefined;
  state: PluginState;
  /** The running instance's manifest (commands, cli hints, requested permissions); absent while none runs. */
  manifest: GuestManifest | undefined;
  consecutiveFailures: number;
  /** Why the plugin is failed or quarantined, or the last reload that did not take. */
  error: PlinthError | undefined;
  /**
   * The running instance's linear memory in bytes, when its lane reports it (in-thread: now; isolated: at
   * the end of its last call). Absent for a pool of several instances.
   */
  memoryBytes?: number;
}

/** One record per call, for observability. */
export interface CallRecord {
  pluginId: string;
  pluginVersion: string;
  kind: 'command' | 'event' | 'call';
  name: string;
  durationMs: number;
  outcome: 'ok' | 'error';
  code?: PlinthErrorCode;
  /** Fuel the guest used (metered plugins; for `fuel_exhausted`, what it had used when stopped). */
  fuelUsed?: number;
  /** The lane that ran the call (absent when the call never reached one). */
  lane?: 'in-thread' | 'isolated';
}

/** One line of the registry's own log: loads, reloads, quarantines and failed shutdowns, by plugin. */
export interface RegistryLogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  pluginId: string;
  error?: unknown;
}

/** What changed in the registry: hosts use it to refresh tool lists and views. */
export interface RegistryChange {
  type: 'loaded' | 'reloaded' | 'unloaded' | 'quarantined';
  pluginId: string;
}

/** Options of `PluginRegistry`: the failure policy, the cross-plugin permission checker and the listeners. */
export interface PluginRegistryOptions {
  failurePolicy?: Partial<FailurePolicy>;
  /** Checks `execute_commands` for cross-plugin commands; deny-all when absent. */
  permissions?: PermissionChecker;
  /** Read on every call (a getter may answer undefined while nobody listens: calls then get no receipt). */
  onCall?: ((record: CallRecord) => void) | undefined;
  /** Where the registry's log lines go; without it they are dropped. */
  log?: (entry: RegistryLogEntry) => void;
  /** Hears every load, reload, unload and quarantine after it took effect. Must not throw. */
  onChange?: (change: RegistryChange) => void;
}

interface Entry {
  id: string;
  opener: PluginOpener;
  slot: Slot | undefined;
  state: PluginState;
  failures: number;
  error: PlinthError | undefined;
  /** Why it was quarantined by hand (`quarantine`); undefined when the failure policy did it, or in service. */
  heldBecause: string | undefined;
  /** Reloads of one plugin run one at a time. */
  reloading: Promise<unknown>;
  backoffMs: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const now = (): number => (typeof performance === 'undefined' ? Date.now() : performance.now());

/**
 * The plugins a host has loaded, by id: load, unload, hot reload, commands, events, cross-plugin commands,
 * and the failure policy. A reload starts the new instance first and swaps only once it is up; calls that
 * began on the old instance finish there, new calls go to the new one, and the old one is shut down once
 * drained — so no call fails or is lost because of a reload.
 */
export class PluginRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #policy: FailurePolicy;
  readonly #permissions: PermissionChecker;
  readonly #options: PluginRegistryOptions;

  constructor(options: PluginRegistryOptions = {}) {
    checkOptions('PluginRegistry', pluginRegistryOptionsSchema, options);
    this.#options = options;
    this.#policy = { ...DEFAULT_FAILURE_POLICY, ...options.failurePolicy };
    this.#permissions = options.permissions ?? createDenyAllChecker();
  }

  /** Opens a plugin under its id (the manifest id must equal it) and makes it active. */
  async load(id: string, opener: PluginOpener): Promise<PluginInfo> {
    if (this.#entries.has(id)) {
      throw new PlinthError('load_failed', `plugin ${id} is already loaded; reload or unload it first`, {
        pluginId: id,
      });
    }
    const entry: Entry = {
      id,
      opener,
      slot: undefined,
      state: 'failed',
      failures: 0,
      error: undefined,
      heldBecause: undefined,
      reloading: Promise.resolve(),
      backoffMs: this.#policy.backoffMs,
      timer: undefined,
    };
    this.#entries.set(id, entry);
    try {
      entry.slot = new Slot(await this.#open(id, opener));
      entry.state = 'active';
    } catch (error) {
      this.#entries.delete(id);
      throw error;
    }
    this.#log('info', id, `plugin ${id}@${entry.slot.handle.version} loaded`);
    this.#changed('loaded', id);
    return this.#info(entry);
  }

  /**
   * Replaces a plugin with a fresh instance (from `opener`, or the one it was loaded with). If the new
   * instance fails to load or init, the old one keeps serving and the error is thrown.
   */
  async reload(id: string, opener?: PluginOpener): Promise<PluginInfo> {
    const entry = this.#entry(id);
    const run = entry.reloading.then(() => this.#swap(entry, opener ?? entry.opener));
    entry.reloading = run.catch(() => undefined);
    return run;
  }

  /** Stops routing to a plugin, waits for its calls, shuts it down and forgets it. */
  async unload(id: string): Promise<void> {
    const entry = this.#entry(id);
    this.#entries.delete(id);
    if (entry.timer) clearTimeout(entry.timer);
    await entry.reloading;
    await this.#retire(entry.id, entry.slot);
    entry.slot = undefined;
    this.#changed('unloaded', id);
  }

  /**
   * Takes a plugin out of service by hand: its calls are refused (`quarantined`, with the reason) until it
   * is reloaded, and a pending failure-policy reload is cancelled. Its instance stays loaded. A plugin
   * quarantined already stays as it is.
   */
  quarantine(id: string, reason?: string): PluginInfo {
    const entry = this.#entry(id);
    if (entry.state === 'quarantined') return this.#info(entry);
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.state = 'quarantined';
    entry.heldBecause = reason === undefined || reason.trim() === '' ? 'by hand' : `by hand: ${reason}`;
    entry.error = new PlinthError('quarantined', `plugin ${id} is quarantined ${entry.heldBecause}`, {
      pluginId: id,
    });
    this.#log('warn', id, entry.error.message);
    this.#changed('quarantined', id);
    return this.#info(entry);
  }

  /** Every plugin the registry holds, one whose first load is still running included, in load order. */
  list(): PluginInfo[] {
    return [...this.#entries.values()].map((entry) => this.#info(entry));
  }

  /** The plugin under `id`, or undefined when none is. */
  get(id: string): PluginInfo | undefined {
    const entry = this.#entries.get(id);
    return entry && this.#info(entry);
  }

  /** Runs a command on a plugin; `requestFiles` reach this call alone. */
  async command(
    id: string,
    name: string,
    params: JsonValue | null = null,
    options: CommandCallOptions = {},
  ): Promise<CommandResponse> {
    const { requestFiles } = options;
    const callOptions: CommandCallOptions = {
      callChain: options.callChain ?? [id],
      ...(requestFiles === undefined ? {} : { requestFiles }),
    };
    return this.#run(
      this.#entry(id),
      'command',
      name,
      (handle, receipt) =>
        handle.command(name, params, receipt === undefined ? callOptions : { ...callOptions, receipt }),
      options.receipt,
    );
  }

  /**
   * Delivers an event to every active plugin; a plugin's failure is logged and counted, never thrown.
   * `except` skips one plugin, e.g. the one whose own write caused a file event.
   */
  async broadcast(event: GuestEvent | AnyGuestEvent, options: { except?: string } = {}): Promise<void> {
    const active = [...this.#entries.values()].filter(
      (entry) => entry.state === 'active' && entry.id !== options.except,
    );
    await Promise.all(
      active.map((entry) =>
        this.#run(entry, 'event', event.event_type, async (handle) => {
          const failure = await handle.event(event);
          if (failure) throw failure;
        }).catch(() => undefined),
      ),
    );
  }

  /**
   * Calls one of a plugin's exports with raw input, e.g. a WebSocket frame for `handle_text_message`.
   * Counted like an event (kind `event`, named by the export): a failure reaches `onCall`, counts toward
   * the failure policy and is thrown. Resolves `false` without calling when the module lacks the export or
   * the handle cannot call raw exports (a pool of several instances); `true` once the export ran.
   */
  async deliver(id: string, exportName: string, input: string | Uint8Array): Promise<boolean> {
    const entry = this.#entry(id);
    const current = entry.slot?.handle;
    // Checked before #run so a skipped delivery is no call: it neither reaches onCall nor resets failures.
    if (entry.state !== 'quarantined' && current !== undefined && !canCallExport(current, exportName)) {
      return false;
    }
    return this.#run(entry, 'event', exportName, async (handle) => {
      // A reload may have swapped in a module without the export since the check above.
      if (!canCallExport(handle, exportName)) return false;
      await handle.callExport(exportName, input);
      return true;
    });
  }

  /**
   * Calls one of a plugin's exports with raw input and answers its raw output (null when it set none): the
   * way to use a generic Extism plugin through the registry. Counted as kind `call`; failures count toward
   * the failure policy (an export the module lacks is `not_handled`, which does not).
   */
  async call(
    id: string,
    exportName: string,
    input: string | Uint8Array = '',
    options: ExportCallOptions = {},
  ): Promise<Uint8Array | null> {
    return this.#run(
      this.#entry(id),
      'call',
      exportName,
      async (handle, receipt) => {
        if (handle.callExport === undefined || handle.hasExport === undefined) {
          throw new PlinthError(
            'not_handled',
            `plugin ${id} cannot take raw export calls (a pool of several instances)`,
            {
              pluginId: id,
              exportName,
            },
          );
        }
        return handle.callExport(
          exportName,
          input,
          receipt === undefined ? options : { ...options, receipt },
        );
      },
      options.receipt,
    );
  }

  /**
   * Serves `host_plugin_command` for a calling plugin: no self-calls, at most
   * MAX_PLUGIN_COMMAND_DEPTH nested calls, no cycles back into a plugin already waiting in the chain, and
   * `execute_commands` on `"<plugin_id>:<command>"` checked first.
   * Asynchronous, so it belongs in a bundle for the isolated lane.
   */
  async invokeFromPlugin(
    request: HostFunctionRequest<'host_plugin_command'>,
    context: HostCallContext,
  ): Promise<HostAnswer> {
    const refusal = crossPluginRefusal(request, context);
    if (refusal !== undefined) return { failure: refusal.message };
    const caller = context.pluginId;
    const chain = context.callChain ?? [caller];
    const target = `${request.plugin_id}:${request.command}`;
    const decision = await this.#permissions.checkAsync({
      pluginId: caller,
      type: 'execute_commands',
      target,
    });
    if (!decision.allowed) {
      recordDenial(context, { type: 'execute_commands', target, functionName: 'host_plugin_command' });
      return { failure: decision.message };
    }
    try {
      const response = await this.command(request.plugin_id, request.command, request.params, {
        callChain: [...chain, request.plugin_id],
      });
      if (!response.success) return { failure: response.error ?? `${target} failed` };
      return JSON.stringify({ success: true, data: response.data ?? null });
    } catch (error) {
      return { failure: error instanceof Error ? error.message : String(error) };
    }
  }

  /** A host bundle serving `host_plugin_command` through this registry (for isolated-lane plugins). */
  bundle(): CapabilityBundle<'plugins'> {
    return { host_plugin_command: (request, context) => this.invokeFromPlugin(request, context) };
  }

  /** Unloads every plugin. */
  async close(): Promise<void> {
    await Promise.all([...this.#entries.keys()].map((id) => this.unload(id)));
  }

  async #open(id: string, opener: PluginOpener): Promise<PluginHandle> {
    const handle = await opener();
    if (handle.id !== id) {
      await handle.shutdown().catch(() => undefined);
      throw new PlinthError('id_mismatch', `plugin loaded as ${id} declares the id ${handle.id}`, {
        pluginId: id,
      });
    }
    return handle;
  }

  async #swap(entry: Entry, opener: PluginOpener): Promise<PluginInfo> {
    let handle: PluginHandle;
    try {
      handle = await this.#open(entry.id, opener);
    } catch (error) {
      entry.error = asPlinthError(error, entry.id);
      this.#log(
        'error',
        entry.id,
        `reload of ${entry.id} failed; the running instance keeps serving: ${entry.error.message}`,
        error,
      );
      throw entry.error;
    }
    const old = entry.slot;
    entry.slot = new Slot(handle);
    entry.opener = opener;
    entry.state = 'active';
    entry.heldBecause = undefined;
    entry.failures = 0;
    entry.error = undefined;
    entry.backoffMs = this.#policy.backoffMs;
    this.#log('info', entry.id, `plugin ${entry.id} reloaded as ${handle.version}`);
    this.#changed('reloaded', entry.id);
    await this.#retire(entry.id, old);
    return this.#info(entry);
  }

  async #retire(id: string, slot: Slot | undefined): Promise<void> {
    if (!slot) return;
    await slot.drain();
    await slot.handle
      .shutdown()
      .catch((error: unknown) => this.#log('warn', id, `shutdown of ${id} failed`, error));
  }

  async #run<T>(
    entry: Entry,
    kind: CallRecord['kind'],
    name: string,
    call: (handle: PluginHandle, receipt: CallReceipt | undefined) => Promise<T>,
    /** The caller's receipt (`options.receipt`): filled in with what the call used. */
    callerReceipt?: CallReceipt,
  ): Promise<T> {
    const slot = entry.slot;
    if (!slot)
      throw new PlinthError('not_handled', `plugin ${entry.id} is still loading`, { pluginId: entry.id });
    if (entry.state === 'quarantined') {
      throw new PlinthError(
        'quarantined',
        `plugin ${entry.id} is quarantined ${entry.heldBecause ?? `after ${entry.failures} consecutive failures`}; reload it to serve again`,
        { pluginId: entry.id, cause: entry.error },
      );
    }
    const started = now();
    const base = { pluginId: entry.id, pluginVersion: slot.handle.version, kind, name };
    const telemetry = CallTelemetry.start(base);
    // Only a call record or telemetry reads the receipt; without either the call's hot path stays as it was.
    const receipt: CallReceipt | undefined =
      telemetry?.receipt ?? (this.#options.onCall ? {} : undefined) ?? callerReceipt;
    const used = () => ({
      ...(receipt?.lane === undefined ? {} : { lane: receipt.lane }),
      ...(receipt?.fuelUsed === undefined ? {} : { fuelUsed: receipt.fuelUsed }),
    });
    slot.enter();
    try {
      const result = await (telemetry
        ? telemetry.run(() => call(slot.handle, receipt))
        : call(slot.handle, receipt));
      entry.failures = 0;
      telemetry?.succeeded(result, now() - started);
      this.#options.onCall?.({ ...base, durationMs: now() - started, outcome: 'ok', ...used() });
      return result;
    } catch (error) {
      const failure = asPlinthError(error, entry.id);
      telemetry?.failed(failure, now() - started);
      this.#options.onCall?.({
        ...base,
        durationMs: now() - started,
        outcome: 'error',
        code: failure.code,
        ...used(),
      });
      if (isPluginFault(failure.code) && entry.slot === slot) this.#countFailure(entry, failure);
      throw failure;
    } finally {
      slot.leave();
      if (callerReceipt !== undefined && receipt !== callerReceipt) Object.assign(callerReceipt, receipt);
    }
  }

  #countFailure(entry: Entry, failure: PlinthError): void {
    entry.failures += 1;
    entry.error = failure;
    if (entry.failures < this.#policy.maxConsecutiveFailures || this.#policy.action === 'keep') return;
    if (this.#policy.action === 'quarantine') {
      entry.state = 'quarantined';
      this.#changed('quarantined', entry.id);
      this.#log(
        'error',
        entry.id,
        `plugin ${entry.id} quarantined after ${entry.failures} consecutive failures`,
        failure,
      );
      return;
    }
    if (entry.timer) return;
    const delay = entry.backoffMs;
    entry.backoffMs = Math.min(entry.backoffMs * 2, this.#policy.maxBackoffMs);
    this.#log(
      'warn',
      entry.id,
      `plugin ${entry.id} failed ${entry.failures} times in a row; reloading in ${delay} ms`,
      failure,
    );
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (this.#entries.get(entry.id) === entry)
        this.reload(entry.id).catch(() => this.#countFailure(entry, failure));
    }, delay);
  }

  #entry(id: string): Entry {
    const entry = this.#entries.get(id);
    if (!entry) throw new PlinthError('not_handled', `no plugin ${id} is loaded`, { pluginId: id });
    return entry;
  }

  #info(entry: Entry): PluginInfo {
    const memoryBytes = entry.slot?.handle.memoryBytes?.();
    return {
      id: entry.id,
      version: entry.slot?.handle.version,
      state: entry.state,
      manifest: entry.slot?.handle.manifest,
      consecutiveFailures: entry.failures,
      error: entry.error,
      ...(memoryBytes === undefined ? {} : { memoryBytes }),
    };
  }

  #changed(type: RegistryChange['type'], pluginId: string): void {
    try {
      this.#options.onChange?.({ type, pluginId });
    } catch (error) {
      this.#log('warn', pluginId, `a registry change listener threw`, error);
    }
  }

  #log(level: RegistryLogEntry['level'], pluginId: string, message: string, error?: unknown): void {
    this.#options.log?.({ level, message, pluginId, ...(error === undefined ? {} : { error }) });
  }
}

function canCallExport(
  handle: PluginHandle,
  exportName: string,
): handle is PluginHandle & Required<Pick<PluginHandle, 'callExport'>> {
  return handle.callExport !== undefined && handle.hasExport?.(exportName) === true;
}

function asPlinthError(error: unknown, pluginId: string): PlinthError {
  if (PlinthError.isInstance(error)) return error;
  return new PlinthError(
    'load_failed',
    `plugin ${pluginId}: ${error instanceof Error ? error.message : String(error)}`,
    {
      pluginId,
      cause: error,
    },
  );
}
