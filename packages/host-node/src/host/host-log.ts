import { PlinthError, type JsonObject } from '@plinth/protocol';
import type { ProtocolLogEntry, RegistryLogEntry } from '@plinth/runtime';
import type { LoadProgress } from '../directory/index.js';
import type { WsBridgeEvent } from '../ws/index.js';
import type { NodeHostLogEntry, NodeHostProgress } from './node-host-types.js';

/** A listener that cannot break the host by throwing. */
export function listener<T>(callback: ((value: T) => void) | undefined): (value: T) => void {
  return (value) => {
    try {
      callback?.(value);
    } catch {
      // The embedding app's listener is its own problem; the host keeps going.
    }
  };
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function errorDetail(error: unknown): { detail?: JsonObject } {
  return PlinthError.isInstance(error) ? { detail: { code: error.code } } : {};
}

export function registryLog(entry: RegistryLogEntry): NodeHostLogEntry {
  const cause = entry.error === undefined ? '' : `: ${messageOf(entry.error)}`;
  return {
    level: entry.level,
    source: 'registry',
    pluginId: entry.pluginId,
    message: entry.message.endsWith(cause) ? entry.message : `${entry.message}${cause}`,
    ...errorDetail(entry.error),
  };
}

export function protocolLog(entry: ProtocolLogEntry): NodeHostLogEntry {
  return {
    level: entry.level,
    source: 'host',
    ...(entry.pluginId === undefined ? {} : { pluginId: entry.pluginId }),
    message: entry.message,
    ...errorDetail(entry.error),
  };
}

export function loadProgress(event: LoadProgress): NodeHostProgress {
  if (event.type === 'loaded') return { type: 'loaded', pluginId: event.pluginId };
  if (event.type === 'skipped')
    return { type: 'skipped', pluginId: event.pluginId, message: event.problem.message };
  return event;
}

/** What the WebSocket bridge did, as a host log line. */
export function wsBridgeLog(event: WsBridgeEvent): NodeHostLogEntry {
  const base = { source: 'host', pluginId: event.pluginId } as const;
  switch (event.type) {
    case 'open':
      return {
        ...base,
        level: 'info',
        message: `WebSocket connected to ${event.url}`,
        detail: { url: event.url },
      };
    case 'stopped':
      return {
        ...base,
        level: 'debug',
        message: `WebSocket to ${event.url} stopped`,
        detail: { url: event.url },
      };
    case 'closed':
      return {
        ...base,
        level: event.expected ? 'debug' : 'warn',
        message: `WebSocket to ${event.url} closed (code ${event.code})`,
        detail: { url: event.url, code: event.code, expected: event.expected },
      };
    case 'reconnect_scheduled':
      return {
        ...base,
        level: 'info',
        message: `WebSocket to ${event.url}: reconnecting in ${event.delayMs} ms (attempt ${event.attempt + 1})`,
        detail: { url: event.url, attempt: event.attempt, delay_ms: event.delayMs },
      };
    case 'error':
      return {
        ...base,
        level: 'warn',
        message: `WebSocket to ${event.url}: ${event.message}`,
        detail: { url: event.url },
      };
    case 'delivery_failed':
      return {
        ...base,
        level: 'error',
        message: `delivering a WebSocket ${event.exportName} call to ${event.pluginId} failed: ${messageOf(event.error)}`,
        detail: {
          export: event.exportName,
          ...(PlinthError.isInstance(event.error) ? { code: event.error.code } : {}),
        },
      };
  }
}
