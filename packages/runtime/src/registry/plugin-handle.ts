import type {
  AnyGuestEvent,
  CommandResponse,
  GuestEvent,
  GuestManifest,
  JsonValue,
  PlinthError,
} from '@plinth/protocol';
import type { CallReceipt } from '@plinth/host-kit';

/** What one command call carries besides its params. */
export interface CommandCallOptions {
  /** The cross-plugin chain the call continues (ids outermost first, ending with this plugin). */
  callChain?: readonly string[] | undefined;
  /** Files for this call alone, answered by `host_request_file` (see `HostCallContext.requestFiles`). */
  requestFiles?: ReadonlyMap<string, Uint8Array> | undefined;
  /** Filled in when the call ends: what it used (fuel, for a metered plugin). */
  receipt?: CallReceipt | undefined;
}

/** What one raw export call carries besides its input. */
export interface ExportCallOptions {
  /** The value the app's own host functions get from `context.hostContext()` during this call. */
  hostContext?: unknown;
  /** Filled in when the call ends: what it used (fuel, for a metered plugin). */
  receipt?: CallReceipt | undefined;
}

/** What the registry needs of a loaded plugin; `ProtocolPlugin` is one, `genericPluginHandle` makes another. */
export interface PluginHandle {
  readonly id: string;
  readonly version: string;
  /** The protocol manifest; absent for a generic Extism plugin (no commands, no events). */
  readonly manifest: GuestManifest | undefined;
  /** Whether `command` is a command the plugin declares and can run (always false for a generic plugin). */
  handles(command: string): boolean;
  /**
   * Runs a command. A guest's own failure resolves as a response with `success: false`; an undeclared
   * command rejects `not_handled`, and limits, traps and bad output reject with their PlinthError.
   */
  command(name: string, params?: JsonValue | null, options?: CommandCallOptions): Promise<CommandResponse>;
  /**
   * Delivers an event. Resolves to the guest's failure, or null (also for a plugin that takes no events):
   * a failing guest never makes it reject.
   */
  event(event: GuestEvent | AnyGuestEvent): Promise<PlinthError | null>;
  /**
   * Calls any export with raw input and answers its raw output (null when it set none), e.g. to deliver
   * WebSocket frames to `handle_text_message`. Absent when the handle cannot pin such calls to one guest.
   */
  callExport?(
    exportName: string,
    input: string | Uint8Array,
    options?: ExportCallOptions,
  ): Promise<Uint8Array | null>;
  /** Whether the module exports `name`; present whenever `callExport` is. */
  hasExport?(name: string): boolean;
  /** The guest's linear memory size in bytes, when the handle's lane reports it (see `Lane.memoryBytes`). */
  memoryBytes?(): number | undefined;
  /**
   * Shuts the plugin down for good: runs the guest's `shutdown` export when it has one, then frees its
   * instances. The registry calls it once a replaced or unloaded instance has no calls left.
   */
  shutdown(): Promise<void>;
}

/** Opens (loads and initializes) one instance of a plugin; called again for every reload. */
export type PluginOpener = () => Promise<PluginHandle>;
