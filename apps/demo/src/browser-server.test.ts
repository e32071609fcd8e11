import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELLO_TEXT, pluginListSchema, policyAnswerSchema, sampleNotesSchema } from './browser-api.js';
import { serveBrowserDemo, type ServedBrowserDemo } from './browser-server.js';
import { main } from './main.js';
import { SAMPLE_WORKSPACE, SEEDED_PLUGINS } from './workspace.js';

// The server of `plinth-demo browser` on a stand-in page (the real one is driven in Chromium by
// test/browser/browser-demo.test.ts): what it serves, with which headers, and what it refuses.
const pageDir = mkdtempSync(join(tmpdir(), 'plinth-browser-page-'));
for (const name of [
  'index.html',
  'app.js',
  'app.js.map',
  'style.css',
  'lane-worker.js',
  'lane-worker.js.map',
]) {
  writeFileSync(join(pageDir, name), `stand-in ${name}`);
}
let server: ServedBrowserDemo;
beforeAll(async () => {
  server = await serveBrowserDemo({ pageDir });
});
afterAll(async () => {
  await server?.close();
  rmSync(pageDir, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit) => fetch(new URL(path, server.url), init);

describe('serveBrowserDemo', () => {
  it('serves the page cross-origin isolated, on loopback, with every answer carrying the headers', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const paths = [
      '/',
      '/app.js',
      '/lane-worker.js',
      '/api/plugins',
      '/api/hello',
      '/plugins/plinth-golden.c.wasm',
    ];
    for (const path of [...paths, '/nothing']) {
      const response = await get(path);
      expect(response.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
      expect(response.headers.get('cross-origin-embedder-policy'), path).toBe('require-corp');
      expect(response.headers.get('content-security-policy'), path).toContain(
        "script-src 'self' 'wasm-unsafe-eval'",
      );
    }
    expect(await (await get('/')).text()).toBe('stand-in index.html');
    expect((await get('/app.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const worker = await get('/lane-worker.js');
    expect(worker.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await worker.text()).toBe('stand-in lane-worker.js');
    const missing = await get('/plugins/../package.json');
    expect(missing.status).toBe(404);
  });

  it('lists the seeded golden plugins with the sha256 of the bytes it serves', async () => {
    const { plugins } = pluginListSchema.parse(await (await get('/api/plugins')).json());
    expect(plugins.map((plugin) => plugin.id)).toEqual(Object.keys(SEEDED_PLUGINS));
    for (const plugin of plugins) {
      const response = await get(plugin.url);
      expect(response.headers.get('content-type')).toBe('application/wasm');
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect(bytes.length).toBe(plugin.size);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(plugin.sha256);
    }
  });

  it('offers the sample notes and the policy of their README front matter', async () => {
    const notes = sampleNotesSchema.parse(await (await get('/api/notes')).json());
    const root = join(SAMPLE_WORKSPACE, 'notes');
    const onDisk = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
      .sort();
    expect(notes.files.map((file) => file.path).sort()).toEqual(onDisk);
    expect(notes.files.find((file) => file.path === 'ideas.md')?.text).toBe(
      readFileSync(join(root, 'ideas.md'), 'utf8'),
    );

    const answer = policyAnswerSchema.parse(await (await get('/api/policy')).json());
    expect(answer.source).toBe('notes/README.md front matter');
    expect(answer.policy).toMatchObject({
      plugins: {
        'plinth-golden.notes': { permissions: { read_files: { include: ['all'], exclude: ['private'] } } },
        'plinth-golden.http': { permissions: { http_requests: { include: ['127.0.0.1', 'localhost'] } } },
      },
    });
  });

  it('answers a plain-text greeting for the HTTP plugin to fetch', async () => {
    const hello = await get('/api/hello');
    expect(hello.status).toBe(200);
    expect(hello.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await hello.text()).toBe(HELLO_TEXT);
  });

  it('answers only GET and HEAD', async () => {
    const posted = await get('/api/plugins', { method: 'POST', body: '{}' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
    const head = await get('/plugins/plinth-golden.c.wasm', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
  });

  it('refuses to start without a built page, saying how to build it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'plinth-browser-empty-'));
    try {
      await expect(serveBrowserDemo({ pageDir: empty })).rejects.toThrow(
        `the browser page is not built (${join(empty, 'index.html')} is missing): run pnpm --filter @plinth/demo build`,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses a bad port with a typed options error', async () => {
    await expect(serveBrowserDemo({ port: 70_000, pageDir })).rejects.toMatchObject({
      code: 'invalid_options',
      message: expect.stringContaining('port'),
    });
  });
});

describe('plinth-demo browser', () => {
  async function demo(argv: string[]) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await main(argv, {
      stdout: (text) => void stdout.push(text),
      stderr: (text) => void stderr.push(text),
      env: {},
    });
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  }

  it('refuses the workspace options, which do not apply to a page that keeps its own', async () => {
    const { code, stderr } = await demo(['--workspace', pageDir, 'browser']);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'plinth-demo browser: --workspace does not apply to browser: the page keeps its workspace and storage in the browser',
    );
  });

  it('prints the address, serves the built page and stops when told to', async () => {
    const controller = new AbortController();
    let printed!: (text: string) => void;
    const address = new Promise<string>((resolve) => (printed = resolve));
    const running = main(['browser'], {
      stdout: printed,
      stderr: () => undefined,
      env: {},
      signal: controller.signal,
    });
    const line = await address;
    const url = /^Plinth in the browser: open (http:\/\/127\.0\.0\.1:\d+\/)\n$/.exec(line)?.[1];
    expect(url, line).toBeDefined();
    const page = await fetch(url ?? '');
    expect(await page.text()).toContain('<script type="module" src="/app.js"></script>');
    controller.abort();
    expect(await running).toBe(0);
  });

  it('refuses a port out of range and arguments it does not take', async () => {
    expect((await demo(['browser', '--port', '70000'])).stderr).toContain(
      '--port must be an integer from 0 to 65535 (got "70000")',
    );
    expect((await demo(['browser', 'extra'])).stderr).toContain(
      'too many arguments (usage: plinth-demo browser [--port N])',
    );
  });
});
