import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { guestBytes } from '@plinth/guests';
import { policyFromFrontMatter } from '@plinth/host-node/policy';
import { checkOptions, defineOptions } from '@plinth/protocol';
import { z } from 'zod';
import { BROWSER_ROUTES, HELLO_TEXT, type SampleNotes, type ServedPlugin } from './browser-api.js';
import { CliError } from './cli-io.js';
import { SAMPLE_WORKSPACE, SEEDED_PLUGINS } from './workspace.js';

/** Where `scripts/build-browser.mjs` puts the bundled page (from `dist/` and from `src/` alike). */
export const BROWSER_PAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'browser');

/** The page's files, as the build writes them, with their content types. */
const PAGE_FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.js.map': 'application/json; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  // The Web Worker lane's script (`@plinth/runtime/browser/lane-worker`), for the HTTP plugin.
  'lane-worker.js': 'text/javascript; charset=utf-8',
  'lane-worker.js.map': 'application/json; charset=utf-8',
};

/**
 * On every answer. COOP and COEP make the page cross-origin isolated (SharedArrayBuffer, which a Web
 * Worker lane needs); the CSP lets it compile WebAssembly but run no script from anywhere else.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
  'content-security-policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Rebuilt pages and re-offered plugins are seen on the next load.
  'cache-control': 'no-store',
};

export interface BrowserDemoOptions {
  /** The port on 127.0.0.1; 0 (the default) lets the OS pick one. */
  port?: number;
  /** Where the bundled page is; default `BROWSER_PAGE_DIR`. */
  pageDir?: string;
}

const optionsSchema = defineOptions<BrowserDemoOptions>()(
  z.strictObject({
    port: z.number().int().min(0).max(65_535).optional(),
    pageDir: z.string().min(1).optional(),
  }),
);

export interface ServedBrowserDemo {
  /** `http://127.0.0.1:<port>/`: the page. */
  url: string;
  /** The plugins the page loads, as `/api/plugins` lists them. */
  plugins: readonly ServedPlugin[];
  close(): Promise<void>;
}

interface Answer {
  type: string;
  body: string | Uint8Array;
}

const json = (value: unknown): Answer => ({
  type: 'application/json; charset=utf-8',
  body: JSON.stringify(value),
});

/** Every file of the committed sample notes, as text with `/` paths (the page seeds its workspace from it). */
function sampleNotes(): SampleNotes {
  const root = join(SAMPLE_WORKSPACE, 'notes');
  const files = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const absolute = join(entry.parentPath, entry.name);
      return { path: relative(root, absolute).split(sep).join('/'), text: readFileSync(absolute, 'utf8') };
    });
  return { files: files.sort((a, b) => a.path.localeCompare(b.path)) };
}

/** The sample README's front-matter policy, read by the same code the CLI's hosts use. */
async function samplePolicy(): Promise<unknown> {
  const file = join(SAMPLE_WORKSPACE, 'notes', 'README.md');
  const source = await policyFromFrontMatter(file, { watch: false });
  try {
    return { source: 'notes/README.md front matter', policy: source.current().policy };
  } finally {
    await source.close();
  }
}

function pageFiles(pageDir: string): Map<string, Answer> {
  const files = new Map<string, Answer>();
  for (const [name, type] of Object.entries(PAGE_FILES)) {
    const path = join(pageDir, name);
    if (!existsSync(path)) {
      throw new CliError(
        `the browser page is not built (${path} is missing): run pnpm --filter @plinth/demo build`,
      );
    }
    files.set(`/${name}`, { type, body: readFileSync(path) });
  }
  return files;
}

/**
 * Serves the browser demo on 127.0.0.1: the bundled page and its worker script, the sample notes, the
 * sample policy, the golden plugins' modules with their sha256s, and a greeting for the HTTP plugin to
 * fetch. Everything is read once, at start; GET and HEAD only.
 */
export async function serveBrowserDemo(options: BrowserDemoOptions = {}): Promise<ServedBrowserDemo> {
  checkOptions('serveBrowserDemo', optionsSchema, options);
  const routes = pageFiles(options.pageDir ?? BROWSER_PAGE_DIR);
  const index = routes.get('/index.html');
  if (index) routes.set('/', index);
  const plugins: ServedPlugin[] = [];
  for (const [id, guest] of Object.entries(SEEDED_PLUGINS)) {
    const bytes = guestBytes(guest);
    const url = `/plugins/${id}.wasm`;
    plugins.push({
      id,
      guest,
      url,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
    });
    routes.set(url, { type: 'application/wasm', body: bytes });
  }
  routes.set(BROWSER_ROUTES.plugins, json({ plugins }));
  routes.set(BROWSER_ROUTES.notes, json(sampleNotes()));
  routes.set(BROWSER_ROUTES.policy, json(await samplePolicy()));
  routes.set(BROWSER_ROUTES.hello, { type: 'text/plain; charset=utf-8', body: HELLO_TEXT });

  const answer = (request: IncomingMessage, response: ServerResponse): void => {
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      response.writeHead(405, { ...SECURITY_HEADERS, allow: 'GET, HEAD', 'content-type': 'text/plain' });
      response.end(`${method} is not served here; the demo's server only answers GET and HEAD`);
      return;
    }
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const found = routes.get(path);
    if (found === undefined) {
      response.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      response.end(`nothing at ${path}`);
      return;
    }
    const body = typeof found.body === 'string' ? Buffer.from(found.body) : found.body;
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': found.type,
      'content-length': String(body.length),
    });
    response.end(method === 'HEAD' ? undefined : body);
  };

  const server = createServer(answer);
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', fail);
      ready();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    plugins,
    close: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}
