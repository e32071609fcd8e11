import type { PlinthError } from '@plinth/protocol';

/** How serious a protocol log entry is. */
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

/** Where a `ProtocolPlugin` sends its log entries; without one they are dropped. */
export type ProtocolLog = (entry: ProtocolLogEntry) => void;
