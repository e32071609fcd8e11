import { el } from './dom.js';
import type { FeedEntry } from './page-host.js';

/** The most lines the panel keeps; older ones are dropped from the top. */
const FEED_LINES = 300;

function lineParts(entry: FeedEntry): { kind: string; level: string; text: string } {
  switch (entry.kind) {
    case 'log':
      return { kind: entry.source, level: entry.level, text: entry.message };
    case 'event':
      return { kind: 'event', level: 'info', text: JSON.stringify(entry.payload) };
    case 'file':
      return { kind: 'file', level: 'info', text: `${entry.change} ${entry.path}` };
  }
}

/** Adds a line to the log-and-events panel, newest at the bottom. */
export function appendFeed(list: HTMLOListElement, entry: FeedEntry): void {
  const { kind, level, text } = lineParts(entry);
  const time = new Date();
  list.append(
    el(
      'li',
      { class: `feed-line level-${level}`, 'data-kind': kind },
      el('time', { datetime: time.toISOString() }, time.toLocaleTimeString()),
      el('span', { class: 'kind' }, kind),
      el('span', { class: 'level' }, level),
      entry.pluginId === undefined ? null : el('span', { class: 'feed-plugin' }, entry.pluginId),
      el('span', { class: 'message' }, text),
    ),
  );
  while (list.childElementCount > FEED_LINES) list.firstElementChild?.remove();
  // The panel scrolls on its own (the page stays where the reader is).
  list.scrollTop = list.scrollHeight;
}
