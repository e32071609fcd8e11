import type { NodeHost } from '@plinth/host-node';
import type { Context, Hono } from 'hono';
import type { ActivityFeed } from '../observe/activity-feed.js';
import type { CallStats } from '../observe/call-stats.js';
import { confirmPage } from '../pages/confirm-page.js';
import { installPage, reviewPage } from '../pages/install-page.js';
import { layout, type Html, type PagePath } from '../pages/layout.js';
import { logsPage } from '../pages/logs-page.js';
import { permissionsPage } from '../pages/permissions-page.js';
import { pluginsPage } from '../pages/plugins-page.js';
import type { StaticFile } from '../static-files.js';
import type { DashboardEnv } from './dashboard-env.js';
import { badInput, refuse } from './respond.js';
import { confirmationSchema, feedQuerySchema } from './request-schemas.js';

export interface PageRouteOptions {
  host: NodeHost;
  feed: ActivityFeed;
  stats: CallStats;
  files: ReadonlyMap<string, StaticFile>;
}

/** A page of the dashboard, with the notice the last change left (shown once). */
function page(c: Context<DashboardEnv>, title: string, current: PagePath | undefined, body: Html) {
  const session = c.get('session');
  const { notice } = session;
  session.notice = undefined;
  return c.html(layout({ title, current, notice, body }));
}

/** The pages (GET only: nothing here changes the host), the JSON view of the plugins and the static files. */
export function registerPageRoutes(app: Hono<DashboardEnv>, options: PageRouteOptions): void {
  const { host, feed, stats } = options;

  app.get('/static/:name', (c) => {
    const file = options.files.get(c.req.param('name'));
    if (file === undefined) return refuse(c, 404, 'not_handled', `no static file ${c.req.param('name')}`);
    return c.body(file.body, 200, { 'Content-Type': file.contentType, 'Cache-Control': 'no-cache' });
  });

  app.get('/', (c) => c.redirect('/plugins', 303));

  app.get('/plugins', (c) => {
    const rows = host.plugins().map((plugin) => ({ plugin, calls: stats.summary(plugin.id) }));
    return page(c, 'Plugins', '/plugins', pluginsPage(rows, c.get('session').csrf));
  });

  app.get('/api/plugins', (c) =>
    c.json(
      host.plugins().map((plugin) => ({
        id: plugin.id,
        version: plugin.version,
        state: plugin.state,
        lane: plugin.lane,
        sha256: plugin.sha256,
        signature: plugin.signature,
        error: plugin.error && { code: plugin.error.code, message: plugin.error.message },
        notGranted: plugin.notGranted,
        calls: stats.summary(plugin.id),
      })),
    ),
  );

  app.get('/permissions', (c) =>
    page(
      c,
      'Permissions',
      '/permissions',
      permissionsPage({
        plugins: host.plugins(),
        policy: host.policy(),
        denials: host.denials(),
        csrf: c.get('session').csrf,
      }),
    ),
  );

  app.get('/logs', (c) => {
    const query = feedQuerySchema.safeParse(c.req.query());
    if (!query.success) {
      const error = badInput('logs filter', query.error.issues);
      return refuse(c, 400, error.code, error.message);
    }
    const filter = { pluginId: query.data.plugin, level: query.data.level };
    const pluginIds = [...new Set(host.plugins().map((plugin) => plugin.id))].sort();
    return page(
      c,
      'Logs and events',
      '/logs',
      logsPage({ entries: feed.since(0, filter), lastId: feed.lastId, filter, pluginIds }),
    );
  });

  app.get('/install', (c) => page(c, 'Install', '/install', installPage(c.get('session').csrf)));

  app.get('/install/review', (c) => {
    const session = c.get('session');
    const upload = session.uploads.get(c.req.query('upload') ?? '');
    if (upload === undefined) {
      session.notice = {
        kind: 'error',
        text: 'That upload is gone (a few are kept): upload the module again.',
      };
      return c.redirect('/install', 303);
    }
    return page(
      c,
      'Install',
      '/install',
      reviewPage({ uploadId: upload.id, inspection: upload.inspection, csrf: session.csrf }),
    );
  });

  app.get('/confirm', (c) => {
    const query = confirmationSchema.safeParse(c.req.query());
    if (!query.success) {
      const error = badInput('confirm', query.error.issues);
      return refuse(c, 400, error.code, error.message);
    }
    return page(c, 'Confirm', undefined, confirmPage(query.data, c.get('session').csrf));
  });
}
