import { html } from 'hono/html';
import { LEVELS, type FeedEntry, type FeedFilter } from '../observe/activity-feed.js';
import type { Html } from './layout.js';

/**
 * One line of the feed. static/dashboard.js builds the same markup for lines that arrive live; keep the
 * two alike.
 */
export function feedLine(entry: FeedEntry): Html {
  return html`<li class="feed-line level-${entry.level}" data-id="${entry.id}">
    <time datetime="${entry.time}">${entry.time.slice(11, 19)}</time>
    <span class="level">${entry.level}</span>
    <span class="source">${entry.source}</span>
    <span class="plugin">${entry.pluginId ?? '–'}</span>
    <span class="message">${entry.message}</span>
  </li>`;
}

/** The stream's address for a filter, resuming after the last line the page shows. */
export function streamPath(filter: FeedFilter, afterId: number): string {
  const query = new URLSearchParams({ after: String(afterId) });
  if (filter.pluginId !== undefined) query.set('plugin', filter.pluginId);
  if (filter.level !== undefined) query.set('level', filter.level);
  return `/logs/stream?${query.toString()}`;
}

/** Recent host log lines and plugin events, filtered; new ones arrive live over server-sent events. */
export function logsPage(options: {
  entries: readonly FeedEntry[];
  lastId: number;
  filter: FeedFilter;
  pluginIds: readonly string[];
}): Html {
  const { filter } = options;
  return html`<form method="get" action="/logs" class="filter-form">
      <label for="filter-plugin">Plugin</label>
      <select id="filter-plugin" name="plugin">
        <option value="">All plugins</option>
        ${options.pluginIds.map(
          (id) => html`<option value="${id}" ${id === filter.pluginId ? 'selected' : ''}>${id}</option>`,
        )}
      </select>
      <label for="filter-level">Lowest level</label>
      <select id="filter-level" name="level">
        ${LEVELS.map(
          (level) =>
            html`<option value="${level}" ${level === (filter.level ?? 'trace') ? 'selected' : ''}>
              ${level}
            </option>`,
        )}
      </select>
      <button type="submit">Filter</button>
    </form>
    <p id="live-state" class="muted" role="status">Live updates start when scripts run.</p>
    <ol
      id="feed"
      class="feed"
      role="log"
      aria-label="Logs and events, oldest first"
      data-stream="${streamPath(filter, options.lastId)}"
    >
      ${options.entries.map(feedLine)}
    </ol>`;
}
