import type { PlinthError } from '@plinth/protocol';

export type ProtocolLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One structured log event from the protocol layer: a manifest warning or a tolerated guest failure. */
export interface ProtocolLogEntry {
  level: ProtocolLogLevel;
  message: string;
  pluginId?: string | undefined;
  pluginVersion?: string | undefined;
  exportName?: string | undefined;
  /** The failure that was logged instead of thrown. */
  error?: PlinthError | undefined;
}

export type ProtocolLog = (entry: ProtocolLogEntry) => void;
