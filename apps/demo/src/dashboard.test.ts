import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.js';

const dir = mkdtempSync(join(tmpdir(), 'plinth-demo-dashboard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI until aborted, resolving each printed address that matches `pattern`. */
function runServer(argv: string[], pattern: RegExp) {
  const controller = new AbortController();
  const found: string[] = [];
  let wake: () => void = () => {};
  const seen = (text: string) => {
    for (const match of text.matchAll(pattern)) found.push(match[1] ?? '');
    wake();
  };
  const exit = main(argv, { stdout: seen, stderr: seen, signal: controller.signal, env: {} });
  return {
    exit,
    stop: () => controller.abort(),
    /** The `count` addresses printed so far, once printed. */
    async addresses(count: number): Promise<string[]> {
      while (found.length < count) await new Promise<void>((resolve) => (wake = resolve));
      return found;
    },
  };
}

/** Signs in as the browser would and answers what a change needs: the cookie and the page's CSRF token. */
async function signIn(url: string): Promise<{ origin: string; cookie: string; csrf: string }> {
  const { origin } = new URL(url);
  const signedIn = await fetch(url, { redirect: 'manual' });
  const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const page = await (await fetch(`${origin}/install`, { headers: { cookie } })).text();
  return { origin, cookie, csrf: /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '' };
}

describe('plinth-demo dashboard', () => {
  it('prints the address with its token, serves the plugins page, and stops on the signal', async () => {
    const server = runServer(
      ['--workspace', join(dir, 'alone'), 'dashboard', '--port', '0'],
      /Plinth dashboard: open (http:\/\/127\.0\.0\.1:\d+\/plugins\?token=[A-Za-z0-9_-]+)/g,
    );
    try {
      const [url = ''] = await server.addresses(1);
      const { origin, cookie } = await signIn(url);
      const page = await (await fetch(`${origin}/plugins`, { headers: { cookie } })).text();
      for (const id of [
        'plinth-golden.notes',
        'plinth-golden.c',
        'plinth-golden.rust',
        'plinth-golden.wat',
        'plinth-golden.http',
      ]) {
        expect(page).toContain(id);
      }
    } finally {
      server.stop();
    }
    expect(await server.exit).toBe(0);
  }, 60_000);
});

describe('plinth-demo mcp --http --dashboard', () => {
  it('serves the dashboard on the same host: an uninstall there reaches the MCP clients', async () => {
    const server = runServer(
      [
        '--workspace',
        join(dir, 'beside-mcp'),
        'mcp',
        '--http',
        '--port',
        '0',
        '--dashboard',
        '--dashboard-port',
        '0',
      ],
      /(?:listening on|dashboard: open) (http:\/\/127\.0\.0\.1:\S+)/g,
    );
    const client = new Client({ name: 'plinth-demo-dashboard-test', version: '1.0.0' });
    let changed: () => void = () => {};
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => changed());
    try {
      const [mcpUrl = '', dashboardUrl = ''] = await server.addresses(2);
      await client.connect(new StreamableHTTPClientTransport(new URL(mcpUrl)));
      const before = (await client.listTools()).tools.map((tool) => tool.name);
      expect(before.some((name) => name.startsWith('plinth-golden_rust__'))).toBe(true);

      const { origin, cookie, csrf } = await signIn(dashboardUrl);
      const heard = new Promise<void>((resolve) => (changed = resolve));
      const form = new URLSearchParams({ csrf, plugin: 'plinth-golden.rust', confirmed: 'yes' });
      const uninstalled = await fetch(`${origin}/actions/uninstall`, {
        method: 'POST',
        body: form,
        headers: { cookie, origin, accept: 'application/json' },
      });
      expect(await uninstalled.json()).toEqual({ ok: true, message: 'Uninstalled plinth-golden.rust.' });
      await heard;
      const after = (await client.listTools()).tools.map((tool) => tool.name);
      expect(after.some((name) => name.startsWith('plinth-golden_rust__'))).toBe(false);
      expect(after.length).toBeLessThan(before.length);
    } finally {
      await client.close();
      server.stop();
    }
    expect(await server.exit).toBe(0);
  }, 60_000);
});
