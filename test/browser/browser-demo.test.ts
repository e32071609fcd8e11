import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { guestBytes } from '@plinth/guests';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_ROUTES, HELLO_TEXT } from '../../apps/demo/src/browser-api.js';
import { serveBrowserDemo, type ServedBrowserDemo } from '../../apps/demo/src/browser-server.js';
import { openWatchedPage } from './chromium.js';

// The demo's browser page (`plinth-demo browser`, built by `pnpm --filter @plinth/demo build`) as a person
// uses it in headless Chromium: the plugins and their permissions, a command that answers and one the
// policy denies, log lines and events arriving, the HTTP plugin fetching from the page's own server in its
// Web Worker, an upload that loads a plugin, uploads that hot-reload others (the HTTP one back into its
// worker) and one whose sha256 pin is wrong, then a page reload that finds the workspace and storage where
// they were. The last state before the reload is kept as test-results/browser-demo.png.
const root = fileURLToPath(new URL('../..', import.meta.url));
const SCREENSHOT = join(root, 'test-results', 'browser-demo.png');
const NOTES = 'plinth-golden.notes';
const C = 'plinth-golden.c';
const HTTP = 'plinth-golden.http';
const WAT = 'plinth-golden.wat';
/** A plugin the server does not offer, to upload. */
const TRAP = 'hostile.trap-unreachable';
const IN_WORKER = 'in a Web Worker, metered with fuel, with a hard timeout per call';
const IN_THREAD = 'in this page’s thread, metered with fuel';
const DAILY = 'Daily/2026-12-01.md';

let server: ServedBrowserDemo;
/** What the daily note command answered, to compare with the note read back after the reload. */
let dailyAnswer: unknown;
let browser: Browser;
let page: Page;
/** Script errors and console errors the page reported; no test provokes one. */
let problems: string[] = [];

beforeAll(async () => {
  server = await serveBrowserDemo();
  ({ browser, page, problems } = await openWatchedPage({ viewport: { width: 1400, height: 1000 } }));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const card = (id: string) => page.locator(`article.plugin[data-plugin="${id}"]`);
const feedLine = (kind: string, text: string) =>
  page.locator(`#feed li[data-kind="${kind}"]`, { hasText: text });

/** Nothing went wrong in the page that a test did not ask for: no script error, no console error. */
async function expectNoPageProblems(): Promise<void> {
  expect(problems).toEqual([]);
  expect(await page.locator('#page-error').isHidden()).toBe(true);
}

async function waitUntilReady(): Promise<void> {
  await page.locator('#status[data-state="ready"]').waitFor();
}

/** Runs a command through the form and waits for its answer (the box counts answers in `data-runs`). */
async function run(pluginId: string, command: string, params: unknown) {
  const result = page.locator('#run-result');
  const runs = Number((await result.getAttribute('data-runs')) ?? '0');
  await page.getByLabel('Plugin', { exact: true }).selectOption(pluginId);
  await page.getByLabel('Command', { exact: true }).selectOption(command);
  await page.getByLabel('Params (JSON)').fill(JSON.stringify(params));
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.locator(`#run-result[data-runs="${runs + 1}"]`).waitFor();
  return {
    outcome: await result.getAttribute('data-outcome'),
    heading: await result.locator('h3').textContent(),
    data: async () => JSON.parse((await result.locator('pre').textContent()) ?? 'null') as unknown,
    message: async () => result.locator('.message').textContent(),
    hint: async () => result.locator('.hint').textContent(),
    summary: async () => result.locator('.summary').textContent(),
  };
}

/** Loads a module through the form, from a file or a URL, and waits for its answer (`data-loads` counts them). */
async function load(from: { name: string; bytes: Uint8Array } | { url: string }, pin?: string) {
  const result = page.locator('#load-result');
  const loads = Number((await result.getAttribute('data-loads')) ?? '0');
  if ('url' in from) {
    await page.getByLabel('Or its URL').fill(from.url);
  } else {
    await page.getByLabel('Module file (.wasm)').setInputFiles({
      name: from.name,
      mimeType: 'application/wasm',
      buffer: Buffer.from(from.bytes),
    });
  }
  await page.getByLabel('sha256 pin (optional)').fill(pin ?? '');
  await page.getByRole('button', { name: 'Load', exact: true }).click();
  await page.locator(`#load-result[data-loads="${loads + 1}"]`).waitFor();
  return { outcome: await result.getAttribute('data-outcome'), text: await result.textContent() };
}

/** The module with a custom section appended: it runs the same, but its bytes (and sha256) differ. */
function withCustomSection(bytes: Uint8Array, name: string): Uint8Array {
  const encodedName = new TextEncoder().encode(name);
  const payload = [encodedName.length, ...encodedName];
  if (payload.length > 127) throw new Error('keep the name short: the size is written as one LEB128 byte');
  return new Uint8Array([...bytes, 0, payload.length, ...payload]);
}

describe('the browser demo in Chromium', () => {
  it('serves a cross-origin isolated page that lists the plugins with their permissions in words', async () => {
    const response = await page.goto(server.url);
    expect(response?.headers()['cross-origin-opener-policy']).toBe('same-origin');
    expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
    await waitUntilReady();
    expect(await page.locator('#status').textContent()).toContain('seeded with 5 sample notes');
    expect(await page.locator('#isolation').getAttribute('data-isolated')).toBe('true');

    expect(await page.locator('article.plugin').evaluateAll((cards) => cards.length)).toBe(5);
    for (const served of server.plugins) {
      expect(await card(served.id).getAttribute('data-state')).toBe('active');
      expect(await card(served.id).locator('.sha256').getAttribute('data-sha256')).toBe(served.sha256);
    }
    expect(await card(NOTES).locator('.may').textContent()).toBe(
      'read any file (except private/), edit files in Daily/, create files in Daily/, use plugin storage (64 KiB per value)',
    );
    // The policy answers everything the notes plugin asks for (a narrower rule counts as an answer).
    expect(await card(NOTES).locator('.asks').count()).toBe(0);
    expect(await card(C).locator('.may').textContent()).toBe('use plugin storage (1 MiB per value)');
    // Granted HTTP, whose fetch answers asynchronously: the only plugin in a Web Worker.
    expect(await card(HTTP).locator('.may').textContent()).toBe(
      'make HTTP requests to 127.0.0.1 and localhost, use plugin storage (1 MiB per value)',
    );
    expect(await card(HTTP).locator('.asks').count()).toBe(0);
    expect(await card(HTTP).locator('.lane').textContent()).toContain(IN_WORKER);
    for (const id of [NOTES, C, WAT]) expect(await card(id).locator('.lane').textContent()).toBe(IN_THREAD);
    expect(await card(NOTES).locator('.commands').textContent()).toContain('word_count');
    expect(await page.locator('#files li[data-path="ideas.md"]').count()).toBe(1);
    await expectNoPageProblems();
  });

  it('runs a command and shows its answer', async () => {
    const sample = readFileSync(join(root, 'apps', 'demo', 'workspace', 'notes', 'ideas.md'), 'utf8');
    const answer = await run(NOTES, 'word_count', { path: 'ideas.md' });
    expect(answer.outcome).toBe('ok');
    expect(await answer.data()).toEqual({
      path: 'ideas.md',
      words: sample.split(/\s+/).filter(Boolean).length,
    });
    // The registry fills the call's receipt: the metered plugin's fuel is shown with the answer.
    expect(await answer.summary()).toMatch(/^plinth-golden\.notes word_count · [\d,]+ fuel$/);
    await expectNoPageProblems();
  });

  it('shows a denial as one, naming the permission and the path the policy does not grant', async () => {
    const answer = await run(NOTES, 'word_count', { path: 'private/diary.txt' });
    expect(answer.outcome).toBe('denied');
    expect(answer.heading).toBe('Denied by the policy');
    expect(await answer.message()).toBe(
      "host_read_file: Permission denied for plugin 'plinth-golden.notes': read_files on 'private/diary.txt'",
    );
    expect(await answer.hint()).toContain('read any file (except private/)');
    await feedLine('permissions', "read_files on 'private/diary.txt' (host_read_file)").waitFor();
    await expectNoPageProblems();
  });

  it('shows guest log lines, emitted events and file changes in the log panel', async () => {
    const greeting = await run(NOTES, 'greet', { name: 'Zoë' });
    expect(await greeting.data()).toBe('Hello, Zoë!');
    await feedLine('guest', 'greeting Zoë').waitFor();

    expect((await run(NOTES, 'emit', { event_type: 'demo.saved' })).outcome).toBe('ok');
    await feedLine('event', '"event_type":"demo.saved"').waitFor();

    const daily = await run(NOTES, 'daily_note', { date: '2026-12-01', text: 'Written in the browser.' });
    expect(daily.outcome).toBe('ok');
    dailyAnswer = await daily.data();
    expect(dailyAnswer).toMatchObject({ path: DAILY, created: true });
    await feedLine('file', `file_created ${DAILY}`).waitFor();
    await page.locator(`#files li[data-path="${DAILY}"]`).waitFor();
    await expectNoPageProblems();
  });

  it('fetches from the page’s own server with the HTTP plugin in its Web Worker, and is denied other hosts', async () => {
    const hello = new URL(BROWSER_ROUTES.hello, server.url).href;
    const fetched = await run(HTTP, 'fetch', { url: hello });
    expect(fetched.outcome).toBe('ok');
    expect(await fetched.data()).toEqual({ status: 200, body: HELLO_TEXT });

    const away = await run(HTTP, 'fetch', { url: 'https://example.com/' });
    expect(away.outcome).toBe('denied');
    expect(await away.message()).toBe(
      "host_http_request: Permission not configured for plugin 'plinth-golden.http': http_requests on 'https://example.com/'. Add plugins.plinth-golden.http.permissions.http_requests to the policy.",
    );
    await expectNoPageProblems();
  });

  it('loads an uploaded plugin, refuses a wrong sha256 pin, and hot-reloads plugins by their id', async () => {
    const loaded = await load({ name: 'trap.wasm', bytes: guestBytes('hostile-trap-unreachable') });
    expect(loaded).toEqual({ outcome: 'loaded', text: `Loaded ${TRAP} 0.1.0 from upload trap.wasm.` });
    await card(TRAP).waitFor();
    expect(await card(TRAP).locator('.lane').textContent()).toBe(IN_THREAD);

    const original = guestBytes('c-protocol');
    const servedSha = sha256(original);
    const wrongPin = '0'.repeat(64);
    const refused = await load({ name: 'c-protocol.wasm', bytes: original }, wrongPin);
    expect(refused.outcome).toBe('refused');
    expect(refused.text).toBe(
      `Refused: [load_failed] Cannot load module from upload c-protocol.wasm: sha256 mismatch: expected ${wrongPin}, got ${servedSha}`,
    );
    expect(await card(C).locator('.sha256').getAttribute('data-sha256')).toBe(servedSha);

    const changed = withCustomSection(original, 'plinth-demo-test');
    const changedSha = sha256(changed);
    const reloaded = await load({ name: 'c-changed.wasm', bytes: changed }, changedSha);
    expect(reloaded).toEqual({
      outcome: 'reloaded',
      text: `Hot-reloaded ${C} 1.0.0 from upload c-changed.wasm: the new module serves its calls from now on.`,
    });
    await page.locator(`article.plugin[data-plugin="${C}"] .sha256[data-sha256="${changedSha}"]`).waitFor();
    await feedLine('host', `plugin ${C} reloaded as 1.0.0`).waitFor();
    expect(await (await run(C, 'ping', null)).data()).toBe('pong');

    // An upload has no expected id, so it opens on the page's thread; the HTTP plugin's id calls for the
    // worker, so it is opened again there before it takes over.
    const http = withCustomSection(guestBytes('as-http'), 'plinth-demo-test');
    const httpSha = sha256(http);
    expect(await load({ name: 'http-changed.wasm', bytes: http })).toEqual({
      outcome: 'reloaded',
      text: `Hot-reloaded ${HTTP} 1.0.0 from upload http-changed.wasm: the new module serves its calls from now on.`,
    });
    await page.locator(`article.plugin[data-plugin="${HTTP}"] .sha256[data-sha256="${httpSha}"]`).waitFor();
    expect(await card(HTTP).locator('.lane').textContent()).toContain(IN_WORKER);
    const again = await run(HTTP, 'fetch', { url: new URL(BROWSER_ROUTES.hello, server.url).href });
    expect(await again.data()).toEqual({ status: 200, body: HELLO_TEXT });

    // From a URL the same way: the server's own module of another plugin, pinned to its listed sha256.
    const wat = server.plugins.find((plugin) => plugin.id === WAT);
    const fromUrl = await load({ url: wat?.url ?? '' }, wat?.sha256);
    expect(fromUrl).toEqual({
      outcome: 'reloaded',
      text: `Hot-reloaded ${WAT} 1.0.0 from ${wat?.url}: the new module serves its calls from now on.`,
    });

    // The screenshot: six plugins (one in a Web Worker, one uploaded), a load answer, a denial.
    expect((await run(NOTES, 'word_count', { path: 'private/diary.txt' })).outcome).toBe('denied');
    mkdirSync(join(root, 'test-results'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const png = readFileSync(SCREENSHOT);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // The IHDR chunk's width and height: the page at its viewport width, and taller than one screen.
    expect(png.readUInt32BE(16)).toBe(1400);
    expect(png.readUInt32BE(20)).toBeGreaterThan(1000);
    expect(png.length).toBeGreaterThan(50_000);
    await expectNoPageProblems();
  });

  it('finds the workspace and the plugin storage where they were after a page reload', async () => {
    const index = await run(NOTES, 'tag_index', null);
    expect(index.outcome).toBe('ok');
    const remembered = await index.data();
    await page.locator('#run-result[data-saved="true"]').waitFor();

    await page.reload();
    await waitUntilReady();
    expect(await page.locator('#status').textContent()).toContain('Workspace as the last visit left it');
    await page.locator(`#files li[data-path="${DAILY}"]`).waitFor();
    const note = await run(NOTES, 'word_count', { path: DAILY });
    expect(await note.data()).toEqual({ path: DAILY, words: (dailyAnswer as { words: number }).words });
    expect(await (await run(NOTES, 'last_index', null)).data()).toEqual(remembered);
    // Uploads last as long as the page: after a reload the server's plugins run again, as listed.
    expect(await card(TRAP).count()).toBe(0);
    for (const id of [C, HTTP]) {
      expect(await card(id).locator('.sha256').getAttribute('data-sha256')).toBe(
        server.plugins.find((plugin) => plugin.id === id)?.sha256,
      );
    }
    expect(await card(HTTP).locator('.lane').textContent()).toContain(IN_WORKER);
    await expectNoPageProblems();
  });
});
