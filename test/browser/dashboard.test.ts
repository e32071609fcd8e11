import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveDashboard, type ServedDashboard } from '@plinth/dashboard';
import { createNodeHost, type NodeHost } from '@plinth/host-node';
import { guestPath } from '@plinth/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWatchedPage } from './chromium.js';

// The dashboard as a person uses it, in headless Chromium: every page loads under its strict CSP, an
// install with consent, a grant and a revoke through their confirmation pages, a denial and a log line
// arriving, a reload by keyboard alone, quarantine and release. Each page is kept as a screenshot.
const root = fileURLToPath(new URL('../..', import.meta.url));
const artifacts = join(root, 'test-artifacts', 'dashboard');
const NOTES = 'plinth-golden.notes';
const C = 'plinth-golden.c';
const WAT = 'plinth-golden.wat';
const HTTP = 'plinth-golden.http';

let base: string;
let host: NodeHost;
let dashboard: ServedDashboard;
let browser: Browser;
let page: Page;
/** What the browser reported against the page: CSP refusals, script errors. */
let problems: string[] = [];

beforeAll(async () => {
  // A demo-like workspace: the demo's sample notes (its README front matter is the policy) and golden plugins.
  base = mkdtempSync(join(tmpdir(), 'plinth-dashboard-browser-'));
  cpSync(join(root, 'apps', 'demo', 'workspace', 'notes'), join(base, 'notes'), { recursive: true });
  for (const [id, guest] of [
    [NOTES, 'as-notes'],
    [C, 'c-protocol'],
    [WAT, 'wat-protocol'],
  ] as const) {
    mkdirSync(join(base, 'plugins', id), { recursive: true });
    cpSync(guestPath(guest), join(base, 'plugins', id, 'plugin.wasm'));
  }
  host = await createNodeHost({
    workspaceRoot: join(base, 'notes'),
    pluginsRoot: join(base, 'plugins'),
    policy: { frontMatter: join(base, 'notes', 'README.md') },
    hostAppVersion: '1.0.0',
    watch: false,
  });
  await host.start();
  // The sample grants the HTTP plugin loopback hosts; taken back, so installing it asks for a grant.
  await host.revoke(HTTP, 'http_requests');
  dashboard = await serveDashboard(host);
  mkdirSync(artifacts, { recursive: true });
  ({ browser, page, problems } = await openWatchedPage({ viewport: { width: 1600, height: 1000 } }));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  await host?.close();
  rmSync(base, { recursive: true, force: true });
});

const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

/** What the label check reads of a form control in the page (the test compiles without the DOM types). */
interface PageControl {
  tagName: string;
  textContent: string | null;
  outerHTML: string;
  labels?: { length: number } | null;
  getAttribute(name: string): string | null;
}

/** Every visible form control has a label, and every button a name: what a screen reader announces. */
async function expectLabelledControls(): Promise<void> {
  const unlabelled = await page
    .locator('input:not([type="hidden"]), select, textarea, button')
    .evaluateAll((elements) =>
      elements
        .map((element) => element as unknown as PageControl)
        .filter((control) => {
          const named = (control.getAttribute('aria-label') ?? '').trim() !== '';
          if (control.tagName === 'BUTTON') return !named && (control.textContent ?? '').trim() === '';
          return !named && (control.labels?.length ?? 0) === 0;
        })
        .map((control) => control.outerHTML),
    );
  expect(unlabelled).toEqual([]);
}

/** The notice a change leaves on the next page. */
const notice = () => page.locator('.notice');

describe('the dashboard in Chromium', () => {
  it('signs in with the printed address and loads every page under its CSP', async () => {
    await page.goto(dashboard.url);
    expect(new URL(page.url()).pathname).toBe('/plugins');
    expect(page.url()).not.toContain('token=');
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Plugins');
    for (const id of [NOTES, C, WAT]) await page.locator(`tr[data-plugin="${id}"]`).waitFor();
    await expectLabelledControls();
    await shot('plugins');
    for (const [link, heading, name] of [
      ['Permissions', 'Permissions', 'permissions'],
      ['Logs and events', 'Logs and events', 'logs'],
      ['Install', 'Install', 'install'],
    ] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await expectLabelledControls();
      await shot(name);
    }
    expect(problems).toEqual([]);
  });

  it('reloads a plugin with the keyboard alone (Tab to its button, Enter)', async () => {
    await page.goto(new URL('/plugins', dashboard.url).href);
    let focused: string | null = null;
    for (let presses = 0; presses < 80 && focused !== `Reload ${C}`; presses++) {
      await page.keyboard.press('Tab');
      focused = await page.locator(':focus').getAttribute('aria-label');
    }
    expect(focused).toBe(`Reload ${C}`);
    await page.keyboard.press('Enter');
    await expect.poll(() => notice().textContent()).toContain(`Reloaded ${C} (version 1.0.0).`);
  });

  it('installs an uploaded plugin after showing what it asks for, granting it', async () => {
    await page.goto(new URL('/install', dashboard.url).href);
    await page.getByLabel('Plugin module (.wasm)').setInputFiles(guestPath('as-http'));
    await page.getByRole('button', { name: 'Check module' }).click();
    await page.getByRole('heading', { name: 'What it asks for' }).waitFor();
    const asks = page.locator('#asks');
    await expect.poll(() => asks.textContent()).toContain('http_requests');
    expect(await asks.textContent()).toContain('Fetch the URLs you ask for.');
    expect(host.plugin(HTTP)).toBeUndefined();
    await shot('install-review');
    await page.getByRole('button', { name: 'Install and grant what it asks for' }).click();
    await expect
      .poll(() => notice().textContent())
      .toContain(`Installed ${HTTP} 1.0.0 (installed); granted http_requests.`);
    await page.locator(`tr[data-plugin="${HTTP}"]`).waitFor();
    expect(host.policy().plugins[HTTP]?.permissions.http_requests?.include).toEqual(['all']);
  });

  it('grants and revokes a permission, each after a confirmation page', async () => {
    await page.goto(new URL('/permissions', dashboard.url).href);
    const section = page.locator(`section[data-plugin="${C}"]`);
    await section.getByLabel('Permission').selectOption('http_requests');
    await section.getByLabel('Scope').fill('example.com');
    await section.getByRole('button', { name: 'Grant…' }).click();
    await page.getByText(`Grant http_requests on “example.com” to ${C}?`).waitFor();
    await expectLabelledControls();
    await shot('confirm');
    await page.getByRole('button', { name: 'Grant', exact: true }).click();
    await expect
      .poll(() => notice().textContent())
      .toContain(`Granted http_requests on “example.com” to ${C}.`);
    expect(host.policy().plugins[C]?.permissions.http_requests?.include).toEqual(['example.com']);

    await page
      .locator(`section[data-plugin="${C}"]`)
      .getByRole('button', { name: `Revoke “example.com”… (http_requests for ${C})` })
      .click();
    await page.getByText(`Revoke http_requests on “example.com” from ${C}?`).waitFor();
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect
      .poll(() => notice().textContent())
      .toContain(`Revoked http_requests on “example.com” from ${C}.`);
    expect(host.policy().plugins[C]?.permissions.http_requests?.include).toEqual([]);
  });

  it('shows a log line live and a denial as it happens', async () => {
    await page.goto(new URL(`/logs?plugin=${NOTES}`, dashboard.url).href);
    await expect.poll(() => page.locator('#live-state').textContent()).toContain('Live');
    // private/ is excluded by the workspace policy: the read is denied and logged.
    const denied = await host.command(NOTES, 'word_count', { path: 'private/diary.txt' });
    expect(denied).toMatchObject({ success: false, error_code: 'permission_denied' });
    const line = page.locator('#feed li', { hasText: 'private/diary.txt' });
    await line.waitFor();
    expect(await line.locator('.level').textContent()).toBe('warn');
    await host.command(NOTES, 'emit', { event_type: 'demo.saved', payload: { ok: true } });
    await page.locator('#feed li', { hasText: 'demo.saved' }).waitFor();
    await shot('logs');

    await page.getByRole('link', { name: 'Permissions', exact: true }).click();
    const denial = page.locator('#denials tbody tr', { hasText: 'private/diary.txt' }).first();
    await denial.waitFor();
    expect(await denial.textContent()).toContain('read_files');
    expect(await denial.textContent()).toContain('host_read_file');
    await shot('permissions');
    expect(problems).toEqual([]);
  });

  it('quarantines a plugin with a reason, and releases it', async () => {
    await page.goto(new URL('/plugins', dashboard.url).href);
    await page.getByRole('button', { name: `Quarantine ${WAT}…` }).click();
    await page.getByLabel('Reason, optional').fill('checking its output');
    await page.getByRole('button', { name: 'Quarantine', exact: true }).click();
    await expect.poll(() => notice().textContent()).toContain(`Quarantined ${WAT}.`);
    const row = page.locator(`tr[data-plugin="${WAT}"]`);
    expect(await row.locator('.state').textContent()).toBe('quarantined');
    expect(await row.textContent()).toContain('quarantined by hand: checking its output');
    await expect(host.command(WAT, 'ping')).rejects.toMatchObject({ code: 'quarantined' });
    await shot('plugins-quarantined');

    await row.getByRole('button', { name: `Release ${WAT}` }).click();
    await expect.poll(() => notice().textContent()).toContain(`Released ${WAT}: it is active.`);
    expect(await page.locator(`tr[data-plugin="${WAT}"] .state`).textContent()).toBe('active');
    expect(await host.command(WAT, 'ping')).toMatchObject({ success: true });
  });
});
