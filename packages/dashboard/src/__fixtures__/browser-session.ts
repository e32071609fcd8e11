import type { Dashboard } from '../dashboard-options.js';

export const ORIGIN = 'http://127.0.0.1:4545';

/** Requests to a dashboard as its signed-in browser would make them: Host, cookie and CSRF token. */
export interface SignedIn {
  cookie: string;
  csrf: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** A form POST with the CSRF token (unless `csrf: null`) and, by default, JSON answers. */
  post(
    path: string,
    fields: Record<string, string | Blob>,
    options?: { csrf?: string | null; headers?: Record<string, string> },
  ): Promise<Response>;
}

export async function signIn(dashboard: Dashboard): Promise<SignedIn> {
  const request = async (path: string, init: RequestInit = {}) =>
    dashboard.fetch(new Request(`${ORIGIN}${path}`, init));
  const signedIn = await request(dashboard.signInPath, { headers: { host: '127.0.0.1:4545' } });
  const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const page = await request('/install', { headers: { host: '127.0.0.1:4545', cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const headers = (extra: Record<string, string> = {}) => ({ host: '127.0.0.1:4545', cookie, ...extra });
  return {
    cookie,
    csrf,
    get: (path, extra) => request(path, { headers: headers(extra) }),
    post: (path, fields, options = {}) => {
      const form = new FormData();
      const token = options.csrf === undefined ? csrf : options.csrf;
      if (token !== null) form.set('csrf', token);
      for (const [name, value] of Object.entries(fields)) form.set(name, value);
      return request(path, {
        method: 'POST',
        body: form,
        headers: headers({ accept: 'application/json', origin: ORIGIN, ...options.headers }),
      });
    },
  };
}
