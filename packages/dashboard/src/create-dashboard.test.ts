import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ORIGIN, signIn } from './__fixtures__/browser-session.js';
import { openTestHost, type TestHost } from './__fixtures__/test-host.js';
import { createDashboard } from './create-dashboard.js';
import type { Dashboard } from './dashboard-options.js';

let fixture: TestHost;
let dashboard: Dashboard;

beforeEach(async () => {
  fixture = await openTestHost();
  dashboard = createDashboard(fixture.host);
});
afterEach(async () => {
  await dashboard.close();
  await fixture.close();
});

const get = (path: string, headers: Record<string, string> = {}) =>
  dashboard.fetch(new Request(`${ORIGIN}${path}`, { headers: { host: '127.0.0.1:4545', ...headers } }));

describe('signing in', () => {
  it('asks for the token (401) without a session, and refuses a wrong token (403)', async () => {
    const anonymous = await get('/plugins');
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).toContain('access token');
    const json = await get('/api/plugins');
    expect(json.status).toBe(401);
    expect(await json.json()).toEqual({
      error: { code: 'permission_denied', message: expect.stringContaining('access token') as string },
    });
    const wrong = await get(`/plugins?token=${'x'.repeat(43)}`);
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('trades the token for an HttpOnly SameSite=Strict cookie and drops it from the address', async () => {
    expect(dashboard.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const signedIn = await get(`/permissions?token=${dashboard.token}&x=1`);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/permissions?x=1');
    const cookie = signedIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^plinth_dashboard_[0-9a-f]{8}=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    expect(cookie).not.toContain(dashboard.token);
    const page = await get('/permissions', { cookie: cookie.split(';')[0] ?? '' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Permissions</h1>');
  });

  it('refuses a session cookie it did not hand out, and every session once closed', async () => {
    const browser = await signIn(dashboard);
    expect((await browser.get('/plugins')).status).toBe(200);
    const forged = await get('/plugins', { cookie: browser.cookie.replace(/=.*/, '=forged') });
    expect(forged.status).toBe(401);
    await dashboard.close();
    expect((await browser.get('/plugins')).status).toBe(401);
  });
});

describe('where requests may come from', () => {
  it('refuses a Host that is not loopback (DNS rebinding), even with the token', async () => {
    for (const host of ['evil.example:4545', 'evil.example', '127.0.0.1.evil.example:4545']) {
      const response = await get(`/plugins?token=${dashboard.token}`, { host });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain(`Host ${host} is not a loopback address`);
    }
    expect((await get('/plugins', { host: 'localhost:9' })).status).toBe(401);
    expect((await get('/plugins', { host: '[::1]:9' })).status).toBe(401);
  });

  it('accepts exactly the allowed Host values when given', async () => {
    const pinned = createDashboard(fixture.host, { allowedHosts: ['127.0.0.1:8080'] });
    const ask = (host: string) => pinned.fetch(new Request(`http://${host}/plugins`, { headers: { host } }));
    expect((await ask('127.0.0.1:8080')).status).toBe(401);
    expect((await ask('127.0.0.1:8081')).status).toBe(403);
    await pinned.close();
  });

  it('refuses another Origin, and a change another site made', async () => {
    const browser = await signIn(dashboard);
    const fromElsewhere = await browser.get('/api/plugins', { origin: 'http://evil.example' });
    expect(fromElsewhere.status).toBe(403);
    expect(await fromElsewhere.json()).toEqual({
      error: { code: 'permission_denied', message: 'Origin http://evil.example is not this dashboard' },
    });
    const crossSite = await browser.post(
      '/actions/reload',
      { plugin: 'plinth-golden.c' },
      {
        headers: { origin: ORIGIN, 'sec-fetch-site': 'same-site' },
      },
    );
    expect(crossSite.status).toBe(403);
    expect(JSON.stringify(await crossSite.json())).toContain('Sec-Fetch-Site: same-site');
  });

  it('refuses a change without the session’s CSRF token, or with another one', async () => {
    const browser = await signIn(dashboard);
    for (const csrf of [null, 'wrong']) {
      const response = await browser.post('/actions/reload', { plugin: 'plinth-golden.c' }, { csrf });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({
        error: { code: 'permission_denied', message: expect.stringContaining('CSRF token') as string },
      });
    }
    const withHeader = await browser.post(
      '/actions/reload',
      { plugin: 'plinth-golden.c' },
      {
        csrf: null,
        headers: { 'x-csrf-token': browser.csrf },
      },
    );
    expect(withHeader.status).toBe(200);
  });
});

describe('what every answer carries', () => {
  it('sets a strict Content-Security-Policy, nosniff and no framing, on pages and refusals alike', async () => {
    const browser = await signIn(dashboard);
    for (const response of [
      await browser.get('/plugins'),
      await get('/plugins'),
      await get('/x', { host: 'evil' }),
    ]) {
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('same-origin');
    }
  });

  it('serves pages with no inline script or style, and the static files from the package', async () => {
    const browser = await signIn(dashboard);
    for (const path of ['/plugins', '/permissions', '/logs', '/install']) {
      const page = await browser.get(path);
      expect(page.status).toBe(200);
      const text = await page.text();
      expect(text).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
      expect(text).toContain('<script type="module" src="/static/dashboard.js"></script>');
    }
    const script = await get('/static/dashboard.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('EventSource');
    // Only the files it names: no path reaches anything else of the package.
    for (const path of ['/static/..%2Fpackage.json', '/static/README.md', '/static/dashboard.js.map']) {
      expect((await get(path)).status).toBe(404);
    }
  });

  it('labels every form control of every page', async () => {
    const browser = await signIn(dashboard);
    for (const path of [
      '/plugins',
      '/permissions',
      '/logs',
      '/install',
      '/confirm?action=quarantine&plugin=plinth-golden.c',
    ]) {
      const text = await (await browser.get(path)).text();
      const ids = new Set([...text.matchAll(/<label for="([^"]+)"/g)].map((match) => match[1]));
      const controls = [...text.matchAll(/<(input|select|textarea)\b([^>]*)>/g)].filter(
        (match) => !/type="hidden"/.test(match[2] ?? ''),
      );
      for (const control of controls) {
        const id = /\sid="([^"]+)"/.exec(control[2] ?? '')?.[1];
        expect(id !== undefined && ids.has(id), `${path}: ${control[0]}`).toBe(true);
      }
    }
  });
});

describe('createDashboard options', () => {
  it('names a bad option with a typed error', () => {
    const untyped = createDashboard as (host: unknown, options: unknown) => unknown;
    expect(() => untyped(fixture.host, { feedSize: 0 })).toThrow(
      expect.objectContaining({
        code: 'invalid_options',
        message: 'createDashboard: option `feedSize` must be a whole number from 1 to 1000000 (got 0)',
      }),
    );
  });
});
