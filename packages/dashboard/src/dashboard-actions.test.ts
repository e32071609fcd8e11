import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signIn, type SignedIn } from './__fixtures__/browser-session.js';
import { C, guestBytes, NOTES, openTestHost, type TestHost } from './__fixtures__/test-host.js';
import { createDashboard } from './create-dashboard.js';
import type { Dashboard } from './dashboard-options.js';

const HTTP = 'plinth-golden.http';

let fixture: TestHost;
let dashboard: Dashboard;
let browser: SignedIn;

beforeEach(async () => {
  fixture = await openTestHost();
  dashboard = createDashboard(fixture.host);
  browser = await signIn(dashboard);
});
afterEach(async () => {
  await dashboard.close();
  await fixture.close();
});

const wasm = (guest: string) => new Blob([guestBytes(guest)], { type: 'application/wasm' });

describe('actions, each through the host method the CLI uses', () => {
  it('reloads, quarantines with a reason, and releases a plugin', async () => {
    const reloaded = await browser.post('/actions/reload', { plugin: C });
    expect(await reloaded.json()).toEqual({ ok: true, message: `Reloaded ${C} (version 1.0.0).` });
    const quarantined = await browser.post('/actions/quarantine', {
      plugin: C,
      confirmed: 'yes',
      reason: 'odd output',
    });
    expect(await quarantined.json()).toEqual({ ok: true, message: `Quarantined ${C}.` });
    expect(fixture.host.plugin(C)?.error?.message).toBe(`plugin ${C} is quarantined by hand: odd output`);
    const released = await browser.post('/actions/release', { plugin: C });
    expect(await released.json()).toEqual({ ok: true, message: `Released ${C}: it is active.` });
    expect(fixture.host.plugin(C)?.state).toBe('active');
  });

  it('grants and revokes only once confirmed, and saves the policy', async () => {
    const unconfirmed = await browser.post('/actions/grant', {
      plugin: NOTES,
      permission: 'read_files',
      scope: 'a.md',
    });
    expect(unconfirmed.status).toBe(400);
    expect(await unconfirmed.json()).toEqual({
      error: {
        code: 'invalid_params',
        message: 'grant: `confirmed` must be "yes": this change asks first (its confirmation page sends it)',
      },
    });
    const fields = { plugin: NOTES, permission: 'read_files', scope: 'a.md', confirmed: 'yes' };
    expect(await (await browser.post('/actions/grant', fields)).json()).toMatchObject({ ok: true });
    expect(fixture.host.policy().plugins[NOTES]?.permissions.read_files?.include).toEqual(['a.md']);
    expect(await fixture.host.command(NOTES, 'word_count', { path: 'a.md' })).toMatchObject({
      success: true,
    });
    expect(await (await browser.post('/actions/revoke', fields)).json()).toEqual({
      ok: true,
      message: `Revoked read_files on “a.md” from ${NOTES}.`,
    });
    expect(fixture.host.policy().plugins[NOTES]?.permissions.read_files?.include).toEqual([]);
  });

  it('uninstalls once confirmed', async () => {
    expect(
      await (await browser.post('/actions/uninstall', { plugin: C, confirmed: 'yes' })).json(),
    ).toMatchObject({ ok: true });
    expect(fixture.host.plugin(C)).toBeUndefined();
    expect(existsSync(join(fixture.base, 'plugins', C))).toBe(false);
  });

  it('answers bad fields and the host’s refusals as typed errors, and as a notice on the page', async () => {
    const badType = await browser.post('/actions/grant', {
      plugin: NOTES,
      permission: 'root',
      scope: 'x',
      confirmed: 'yes',
    });
    expect(badType.status).toBe(400);
    expect(JSON.stringify(await badType.json())).toContain('`permission` must be one of read_files');
    // The host's own words: a reload of a plugin it does not have looks for its folder.
    const unknown = await browser.post('/actions/reload', { plugin: 'acme.none' });
    expect(unknown.status).toBe(409);
    expect(await unknown.json()).toMatchObject({
      error: { code: 'load_failed', message: expect.stringMatching(/^cannot read .*acme\.none/) as string },
    });
    const released = await browser.post('/actions/release', { plugin: 'acme.none' });
    expect(released.status).toBe(404);
    const notAnAction = await browser.post('/actions/explode', { plugin: C });
    expect(await notAnAction.json()).toEqual({
      error: { code: 'invalid_params', message: 'action: explode is not a dashboard action' },
    });
    // A browser is sent back with the error in words, shown once.
    const page = await browser.post(
      '/actions/release',
      { plugin: 'acme.none', back: '/permissions' },
      { headers: { accept: 'text/html' } },
    );
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/permissions');
    const shown = await (await browser.get('/permissions')).text();
    expect(shown).toContain('role="alert"');
    expect(shown).toContain('no plugin acme.none is loaded [not_handled]');
    expect(await (await browser.get('/permissions')).text()).not.toContain('role="alert"');
  });

  it('never sends a browser back to an address it was given', async () => {
    const response = await browser.post(
      '/actions/reload',
      { plugin: C, back: 'https://evil.example/' },
      { headers: { accept: 'text/html' } },
    );
    expect(response.headers.get('location')).toBe('/plugins');
  });
});

describe('install', () => {
  it('shows the manifest and what the module asks for first, then installs those bytes granting it', async () => {
    const checked = await browser.post('/install', { module: wasm('golden/as-http') });
    const { upload, inspection } = (await checked.json()) as {
      upload: string;
      inspection: Record<string, unknown>;
    };
    expect(inspection).toMatchObject({
      id: HTTP,
      outcome: 'installed',
      notGranted: { asks: [{ permission: 'http_requests', reason: 'Fetch the URLs you ask for.' }] },
    });
    expect(fixture.host.plugin(HTTP)).toBeUndefined();
    const review = await (await browser.get(`/install/review?upload=${upload}`)).text();
    expect(review).toContain('make HTTP requests to any host');
    expect(review).toContain('Install and grant what it asks for');
    const installed = await browser.post('/install/accept', { upload, grant: 'requested' });
    expect(await installed.json()).toEqual({
      ok: true,
      message: `Installed ${HTTP} 1.0.0 (installed); granted http_requests.`,
    });
    expect(fixture.host.policy().plugins[HTTP]?.permissions.http_requests?.include).toEqual(['all']);
    // The upload is used up.
    const again = await browser.post('/install/accept', { upload, grant: 'none' });
    expect(JSON.stringify(await again.json())).toContain('`upload` is gone');
  });

  it('installs granting nothing when asked to', async () => {
    const { upload } = (await (
      await browser.post('/install', { module: wasm('golden/as-http') })
    ).json()) as { upload: string };
    await browser.post('/install/accept', { upload, grant: 'none' });
    expect(fixture.host.plugin(HTTP)).toMatchObject({ state: 'active', notGranted: { pluginId: HTTP } });
    expect(fixture.host.policy().plugins[HTTP]).toBeUndefined();
  });

  it('checks an expected sha256 and refuses what is no module, installing nothing', async () => {
    const sha256 = createHash('sha256').update(guestBytes('golden/as-http')).digest('hex');
    const pinned = await browser.post('/install', { module: wasm('golden/as-http'), sha256: ` ${sha256} ` });
    expect(pinned.status).toBe(200);
    const mismatch = await browser.post('/install', {
      module: wasm('golden/as-http'),
      sha256: 'f'.repeat(64),
    });
    expect(await mismatch.json()).toMatchObject({
      error: { code: 'load_failed', message: expect.stringContaining('sha256 mismatch') as string },
    });
    const notWasm = await browser.post('/install', { module: new Blob(['hello']) });
    expect(await notWasm.json()).toMatchObject({ error: { code: 'invalid_module' } });
    const nothing = await browser.post('/install', {});
    expect(await nothing.json()).toEqual({
      error: { code: 'invalid_params', message: 'install: `module` is required: choose a .wasm file' },
    });
    expect(fixture.host.plugin(HTTP)).toBeUndefined();
  });

  it('refuses an upload larger than the dashboard accepts', async () => {
    const small = createDashboard(fixture.host, { maxUploadBytes: 2048 });
    const session = await signIn(small);
    const response = await session.post('/install', { module: wasm('golden/as-http') });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'module_too_large' } });
    await small.close();
  });
});

describe('what the pages show', () => {
  it('lists the plugins with their module, calls, latency and a chart of recent calls', async () => {
    for (let call = 0; call < 3; call++) await fixture.host.command(C, 'ping');
    const plugins = (await (await browser.get('/api/plugins')).json()) as {
      id: string;
      calls: { calls: number; recentMs: number[] };
    }[];
    expect(plugins.find((plugin) => plugin.id === C)?.calls).toMatchObject({ calls: 3, errors: 0 });
    const page = await (await browser.get('/plugins')).text();
    const sha256 = createHash('sha256').update(guestBytes('golden/c-protocol')).digest('hex');
    expect(page).toContain(sha256);
    expect(page).toContain(`aria-label="Call durations of ${C}: the last 3 calls, slowest`);
    expect(page).toContain(`aria-label="Reload ${C}"`);
    // The guest's linear memory, as the host reports it.
    const memory = fixture.host.plugin(C)?.memoryBytes;
    expect(memory).toBeGreaterThan(0);
    expect(page).toContain(`${((memory ?? 0) / 1024).toFixed(0)} KiB`);
  });

  it('shows what a plugin asks for beside what it is granted, and the recent denials', async () => {
    await fixture.host.command(NOTES, 'word_count', { path: 'a.md' });
    const page = await (await browser.get('/permissions')).text();
    expect(page).toMatch(/<td><code>read_files<\/code><\/td>\s*<td><code>a\.md<\/code><\/td>/);
    expect(page).toContain(`<section aria-labelledby="permissions-${NOTES}"`);
  });

  it('asks before a grant, with the change in words', async () => {
    const page = await browser.get(
      `/confirm?action=grant&plugin=${NOTES}&permission=read_files&scope=a.md&back=/permissions`,
    );
    const text = await page.text();
    expect(text).toContain(`Grant read_files on “a.md” to ${NOTES}?`);
    expect(text).toContain('action="/actions/grant"');
    expect(text).toContain('name="confirmed" value="yes"');
    const bad = await browser.get('/confirm?action=grant&plugin=x');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('`permission` must be one of');
  });

  it('lists log lines and events, filtered by plugin and level', async () => {
    await fixture.host.command(NOTES, 'emit', { event_type: 'x.y', payload: { n: 1 } });
    await fixture.host.command(NOTES, 'word_count', { path: 'a.md' });
    const all = await (await browser.get(`/logs?plugin=${NOTES}`)).text();
    expect(all).toContain('emitted {&quot;event_type&quot;:&quot;x.y&quot;');
    const warnings = await (await browser.get(`/logs?plugin=${NOTES}&level=warn`)).text();
    expect(warnings).not.toContain('emitted');
    expect(warnings).toContain('<span class="level">warn</span>');
    const bad = await browser.get('/logs?level=loud');
    expect(bad.status).toBe(400);
  });
});
