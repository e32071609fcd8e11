import type { HonoRequest, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { refuse } from '../routes/respond.js';
import type { DashboardEnv } from '../routes/dashboard-env.js';
import { sameSecret, type DashboardAccess } from './access.js';
import { hostRefusal, originRefusal } from './request-guard.js';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** A form field of the body (urlencoded or multipart), or undefined; a body that cannot be parsed has none. */
async function formField(request: HonoRequest, name: string): Promise<unknown> {
  const body = await request.parseBody().catch(() => undefined);
  return body?.[name];
}

/**
 * Before any route: the `Host` (DNS rebinding) and `Origin` checks, the sign-in with the access token, the
 * session cookie, and on every change the session's CSRF token (a form field `csrf`, or the header
 * `x-csrf-token` for scripts). Static files need only the first two: they hold no secrets.
 */
export function accessMiddleware(options: {
  access: DashboardAccess;
  allowedHosts: () => ReadonlySet<string> | undefined;
}): MiddlewareHandler<DashboardEnv> {
  const { access } = options;
  return async (c, next) => {
    const host = c.req.header('host');
    const wrongHost = hostRefusal(host, options.allowedHosts());
    if (wrongHost !== undefined) return refuse(c, 403, 'permission_denied', wrongHost);
    const change = !SAFE_METHODS.has(c.req.method);
    const wrongOrigin = originRefusal({
      host: host ?? '',
      origin: c.req.header('origin'),
      fetchSite: c.req.header('sec-fetch-site'),
      change,
    });
    if (wrongOrigin !== undefined) return refuse(c, 403, 'permission_denied', wrongOrigin);
    // Browsers ask for an icon on their own: there is none, and no session is needed to hear so.
    if (c.req.path === '/favicon.ico') return c.body(null, 204);
    if (c.req.path.startsWith('/static/')) return next();

    const token = c.req.query('token');
    if (token !== undefined && !change) {
      const session = access.signIn(token);
      if (session === undefined) {
        return refuse(
          c,
          403,
          'permission_denied',
          'This access token is wrong: open the address the dashboard printed when it started.',
        );
      }
      setCookie(c, access.cookieName, session.id, { httpOnly: true, sameSite: 'Strict', path: '/' });
      // The token leaves the address bar (and the history) at once.
      const url = new URL(c.req.url);
      url.searchParams.delete('token');
      c.header('Cache-Control', 'no-store');
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }

    const session = access.session(getCookie(c, access.cookieName));
    if (session === undefined) {
      return refuse(
        c,
        401,
        'permission_denied',
        'Open the address with the access token that the dashboard printed when it started.',
      );
    }
    if (change) {
      const given = c.req.header('x-csrf-token') ?? (await formField(c.req, 'csrf'));
      if (typeof given !== 'string' || !sameSecret(given, session.csrf)) {
        return refuse(
          c,
          403,
          'permission_denied',
          'This change lacks the page’s CSRF token: reload the page and try again.',
        );
      }
    }
    c.set('session', session);
    await next();
    c.header('Cache-Control', 'no-store');
  };
}
