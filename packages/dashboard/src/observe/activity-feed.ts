import type { NodeHostEvent, NodeHostLogEntry } from '@plinth/host-node';

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type Level = (typeof LEVELS)[number];

/** One line of the logs-and-events page: a host log entry, or an event a plugin emitted. */
export interface FeedEntry {
  /** Increasing from 1: a stream resumes after the last id it sent. */
  id: number;
  /** ISO 8601, when the dashboard heard it. */
  time: string;
  kind: 'log' | 'event';
  level: Level;
  /** The log entry's source (`guest`, `registry`, `host`, `permissions`), or `event`. */
  source: string;
  pluginId: string | undefined;
  message: string;
}

export interface FeedFilter {
  pluginId?: string | undefined;
  /** The lowest level shown. */
  level?: Level | undefined;
}

export const DEFAULT_FEED_SIZE = 1000;

/** The recent logs and events of a host, bounded, with listeners for live streams. */
export class ActivityFeed {
  readonly #entries: FeedEntry[] = [];
  readonly #listeners = new Set<(entry: FeedEntry) => void>();
  #lastId = 0;

  constructor(private readonly size = DEFAULT_FEED_SIZE) {}

  log(entry: NodeHostLogEntry): void {
    this.#add({
      kind: 'log',
      level: entry.level,
      source: entry.source,
      pluginId: entry.pluginId,
      message: entry.message,
    });
  }

  event(event: NodeHostEvent): void {
    const message =
      event.type === 'plugin_event'
        ? `emitted ${JSON.stringify(event.payload)}`
        : `${event.event_type.replace('file_', 'file ')}: ${event.path}`;
    this.#add({ kind: 'event', level: 'info', source: 'event', pluginId: event.pluginId, message });
  }

  /** The entries after `afterId` that pass the filter, oldest first. */
  since(afterId: number, filter: FeedFilter = {}): FeedEntry[] {
    return this.#entries.filter((entry) => entry.id > afterId && matches(entry, filter));
  }

  get lastId(): number {
    return this.#lastId;
  }

  /** Hears every new entry until the returned function is called. */
  subscribe(listener: (entry: FeedEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #add(fields: Omit<FeedEntry, 'id' | 'time'>): void {
    const entry: FeedEntry = { id: ++this.#lastId, time: new Date().toISOString(), ...fields };
    this.#entries.push(entry);
    if (this.#entries.length > this.size) this.#entries.shift();
    for (const listener of [...this.#listeners]) listener(entry);
  }
}

export function matches(entry: FeedEntry, filter: FeedFilter): boolean {
  if (filter.pluginId !== undefined && entry.pluginId !== filter.pluginId) return false;
  return filter.level === undefined || LEVELS.indexOf(entry.level) >= LEVELS.indexOf(filter.level);
}
