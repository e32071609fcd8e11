import type {
  AnyGuestEvent,
  CommandResponse,
  GuestEvent,
  GuestManifest,
  JsonValue,
  PlinthError,
} from '@plinth/protocol';

/** What the registry needs of a loaded plugin; `ProtocolPlugin` is one. */
export interface PluginHandle {
  readonly id: string;
  readonly version: string;
  readonly manifest: GuestManifest;
  handles(command: string): boolean;
  command(
    name: string,
    params?: JsonValue | null,
    options?: { callChain?: readonly string[] },
  ): Promise<CommandResponse>;
  event(event: GuestEvent | AnyGuestEvent): Promise<PlinthError | null>;
  shutdown(): Promise<void>;
}

/** Opens (loads and initializes) one instance of a plugin; called again for every reload. */
export type PluginOpener = () => Promise<PluginHandle>;
