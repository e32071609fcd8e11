import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { matches, type ActivityFeed, type FeedEntry } from '../observe/activity-feed.js';
import type { DashboardEnv } from './dashboard-env.js';
import { badInput, refuse } from './respond.js';
import { feedQuerySchema } from './request-schemas.js';

/**
 * GET /logs/stream: the feed's new lines as server-sent events (`event: entry`, JSON data, the line's id
 * as event id), filtered like the logs page. It starts after `after` (or the `Last-Event-ID` a reconnecting
 * browser sends), so nothing is missed or sent twice. `ends` holds one function per open stream that ends
 * it, for the dashboard's close.
 */
export function registerStreamRoute(
  app: Hono<DashboardEnv>,
  options: { feed: ActivityFeed; ends: Set<() => void> },
): void {
  const { feed, ends } = options;
  app.get('/logs/stream', (c) => {
    const query = feedQuerySchema.safeParse(c.req.query());
    const lastEventId = Number(c.req.header('last-event-id'));
    if (!query.success) {
      const error = badInput('logs stream', query.error.issues);
      return refuse(c, 400, error.code, error.message);
    }
    const filter = { pluginId: query.data.plugin, level: query.data.level };
    const after =
      Number.isInteger(lastEventId) && lastEventId >= 0 ? lastEventId : (query.data.after ?? feed.lastId);
    return streamSSE(c, async (stream) => {
      let writing = Promise.resolve();
      const send = (entry: FeedEntry) => {
        writing = writing
          .then(() => stream.writeSSE({ event: 'entry', id: String(entry.id), data: JSON.stringify(entry) }))
          .catch(() => undefined);
      };
      // The backlog and the subscription in one turn: no line falls between them.
      for (const entry of feed.since(after, filter)) send(entry);
      const unsubscribe = feed.subscribe((entry) => {
        if (matches(entry, filter)) send(entry);
      });
      let end = (): void => undefined;
      const ended = new Promise<void>((resolve) => (end = resolve));
      ends.add(end);
      stream.onAbort(end);
      try {
        await ended;
      } finally {
        unsubscribe();
        ends.delete(end);
        await writing;
      }
    });
  });
}
