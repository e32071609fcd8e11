import type { NodeHost } from '@plinth/host-node';
import { checkOptions } from '@plinth/protocol';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import {
  DEFAULT_MAX_UPLOAD_BYTES,
  dashboardOptionsSchema,
  type Dashboard,
  type DashboardOptions,
} from './dashboard-options.js';
import { ActivityFeed } from './observe/activity-feed.js';
import { CallStats } from './observe/call-stats.js';
import { registerActionRoutes } from './routes/action-routes.js';
import type { DashboardEnv } from './routes/dashboard-env.js';
import { registerInstallRoutes } from './routes/install-routes.js';
import { registerPageRoutes } from './routes/page-routes.js';
import { describeFailure, refuse } from './routes/respond.js';
import { registerStreamRoute } from './routes/stream-route.js';
import { DashboardAccess } from './security/access.js';
import { accessMiddleware } from './security/access-middleware.js';
import { loadStaticFiles } from './static-files.js';

/** Only the dashboard's own files, nothing inline, no frames: a page injected into it could run nothing. */
const SECURITY_HEADERS = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    objectSrc: ["'none'"],
  },
  xFrameOptions: 'DENY',
  // Not no-referrer: under it a browser sends `Origin: null` with a form POST, and the Origin check needs
  // the real one. Another site never gets a referrer (the token has left the address by then anyway).
  referrerPolicy: 'same-origin',
  crossOriginResourcePolicy: 'same-origin',
  crossOriginOpenerPolicy: 'same-origin',
  // Plain HTTP on loopback: HSTS would say nothing true.
  strictTransportSecurity: false,
});

/**
 * A plugin dashboard for a running NodeHost, as a Hono app to serve on loopback (`serveDashboard` does):
 * plugins with their calls, permissions and denials, live logs and events, and installs. Every change is
 * the host's own method (install, uninstall, reload, grant, revoke, quarantine, release), so its change
 * listeners (an MCP tool list, say) follow. It observes the host from now on until `close()`.
 */
export function createDashboard(host: NodeHost, options: DashboardOptions = {}): Dashboard {
  checkOptions('createDashboard', dashboardOptionsSchema, options);
  const allowed =
    options.allowedHosts === undefined
      ? undefined
      : new Set(options.allowedHosts.map((value) => value.toLowerCase()));
  return assembleDashboard(host, options, () => allowed);
}

/** The dashboard with its `Host` allow-list read per request (serveDashboard knows its port only once listening). */
export function assembleDashboard(
  host: NodeHost,
  options: Omit<DashboardOptions, 'allowedHosts'>,
  allowedHosts: () => ReadonlySet<string> | undefined,
): Dashboard {
  const access = new DashboardAccess();
  const feed = new ActivityFeed(options.feedSize);
  const stats = new CallStats();
  const stopObserving = host.observe({
    onLog: (entry) => feed.log(entry),
    onEvent: (event) => feed.event(event),
    onCall: (record) => stats.record(record),
    onChange: (change) => {
      if (change.type === 'uninstalled') stats.forget(change.pluginId);
    },
  });
  const ends = new Set<() => void>();
  const app = new Hono<DashboardEnv>();
  app.use(SECURITY_HEADERS);
  app.use(
    bodyLimit({
      maxSize: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
      onError: (c) => refuse(c, 413, 'module_too_large', 'The upload is larger than this dashboard accepts.'),
    }),
  );
  app.use(accessMiddleware({ access, allowedHosts }));
  registerPageRoutes(app, { host, feed, stats, files: loadStaticFiles() });
  registerStreamRoute(app, { feed, ends });
  registerActionRoutes(app, host);
  registerInstallRoutes(app, host);
  app.notFound((c) => refuse(c, 404, 'not_handled', `There is no page at ${c.req.path}.`));
  app.onError((error, c) => {
    const failure = describeFailure(error);
    return refuse(c, failure.status, failure.code, failure.message);
  });

  let closed = false;
  return {
    app,
    fetch: (request) => app.fetch(request),
    token: access.token,
    signInPath: `/plugins?token=${access.token}`,
    close: async () => {
      if (closed) return;
      closed = true;
      stopObserving();
      for (const end of [...ends]) end();
      access.close();
    },
  };
}
