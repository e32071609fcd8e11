import type { Server } from 'node:http';
import type { HttpTransport, HttpTransportRequest, WasiRun } from '@plinth/host-kit';
import { PlinthError } from '@plinth/protocol';
import type { WsContractPeer } from '@plinth/testkit/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileContractModules } from '../contracts/wasi-contract-modules.js';
import { openWsLoopbackServer } from '../contracts/ws-loopback-server.js';
import type { PageServed } from './host-browser-page.js';
import { fresh, listen, openHostBrowserPage, stop, type HostBrowserPage } from './host-browser-setup.js';
import type { PageBridge } from './page-bridge.js';
import { pageWasiRunner } from './page-wasi-runner.js';

// @plinth/host-browser in headless Chromium beyond the contract suites (host-browser-contracts.test.ts):
// the composed host and its README example, persistence across a page reload, persistence failures, stores
// that cannot be opened, what the browser's CORS does to HTTP, and what a browser changes for WebSockets.

let page: HostBrowserPage;
let bridge: PageBridge;
let origin: string;
beforeAll(async () => {
  page = await openHostBrowserPage();
  ({ bridge, origin } = page);
}, 60_000);
afterAll(async () => {
  // Console errors the tests provoke on purpose (a refused CORS request) are the browser's own reports.
  const problems = await page?.close();
  expect(problems?.filter((problem) => !/CORS|Failed to load resource/.test(problem))).toEqual([]);
});

const pageTransport: HttpTransport = {
  send: (request) => bridge.call('httpSend', request) as ReturnType<HttpTransport['send']>,
};

const PLUGIN = 'acme.notes';
const ALL = { include: ['all'] };
const POLICY = {
  plugins: {
    [PLUGIN]: {
      permissions: {
        read_files: ALL,
        edit_files: ALL,
        create_files: ALL,
        delete_files: ALL,
        plugin_storage: ALL,
        namespaces: ALL,
        http_requests: { include: ['127.0.0.1'] },
      },
    },
  },
};

/** Serves one call through the page's composed host, as a lane would, for `acme.notes`. */
async function serve(host: string, name: string, request: unknown): Promise<PageServed> {
  const context = { pluginId: PLUGIN, exportName: 'handle_command' };
  return (await bridge.call('serve', host, name, JSON.stringify(request), context)) as PageServed;
}

describe('createBrowserHost in Chromium', () => {
  it('runs the README example as written', async () => {
    expect(await bridge.call('runModule', '/readme.js')).toEqual([
      `ok ok {"error":"host_read_file: Permission not configured for plugin 'acme.notes': read_files on 'secrets.md'. Add plugins.acme.notes.permissions.read_files to the policy."}`,
      'ws wasi plugins unsupported',
    ]);
  });

  it('serves every capability but WASI, WebSocket without deliver, and plugins (which the engine brings)', async () => {
    const stores = fresh('stores');
    const workspace = fresh('workspace');
    await bridge.call('openStores', stores);
    await bridge.call('openWorkspace', workspace);
    await bridge.call('createHost', 'coverage', { stores, workspace, policy: POLICY });
    const rows = (await bridge.call('coverage', 'coverage')) as {
      capability: string;
      served: string[];
      missing: string[];
    }[];
    const missing = Object.fromEntries(rows.map((row) => [row.capability, row.missing.length]));
    const served = Object.fromEntries(rows.map((row) => [row.capability, row.served.length]));
    for (const capability of ['files', 'storage', 'secrets', 'namespaces', 'http', 'basics']) {
      expect(missing[capability], capability).toBe(0);
      expect(served[capability], capability).toBeGreaterThan(0);
    }
    for (const capability of ['wasi', 'ws', 'plugins', 'unsupported'])
      expect(served[capability], capability).toBe(0);
    expect(await serve('coverage', 'host_run_wasi_module', { module_key: 'm' })).toMatchObject({
      outcome: 'not_available',
    });
    expect(await serve('coverage', 'host_ws_request', { url: 'wss://x.example/' })).toMatchObject({
      outcome: 'not_available',
    });
    // With a deliver for the frames, the WebSocket functions are served, all of them.
    await bridge.call('createHost', 'coverage-ws', { stores, policy: POLICY, ws: true });
    const withWs = (await bridge.call('coverage', 'coverage-ws')) as { capability: string }[];
    expect(withWs.find((row) => row.capability === 'ws')).toEqual({
      capability: 'ws',
      served: ['host_ws_request'],
      missing: [],
    });
    await bridge.call('closeWorkspace', workspace);
    await bridge.call('removeWorkspace', workspace);
    await bridge.call('closeStores', stores);
    await bridge.call('deleteDatabase', stores);
  });

  it('answers storage, secrets, namespaces and files at once in the page (the in-thread lane), HTTP by promise', async () => {
    const stores = fresh('stores');
    const workspace = fresh('workspace');
    await bridge.call('openStores', stores);
    await bridge.call('openWorkspace', workspace, { 'notes/a.md': 'A' });
    await bridge.call('createHost', 'timing', { stores, workspace, policy: POLICY });
    const calls: [string, unknown][] = [
      ['host_storage_set', { key: 'k', data: 'dg==' }],
      ['host_storage_get', { key: 'k' }],
      ['host_secret_set', { key: 's', value: 'v' }],
      ['host_namespace_create', {}],
      ['host_namespace_list', {}],
      ['host_read_file', { path: 'notes/a.md' }],
      ['host_write_file', { path: 'notes/b.md', content: 'B' }],
      ['host_log', { level: 'info', message: 'hi' }],
    ];
    for (const [name, request] of calls) {
      const served = await serve('timing', name, request);
      expect(served, name).toMatchObject({ outcome: 'ok', synchronous: true });
    }
    const http = await serve('timing', 'host_http_request', { url: `${origin}/text` });
    expect(http).toMatchObject({ outcome: 'ok', synchronous: false });
    expect(JSON.parse(http.answer as string)).toMatchObject({ status: 200, body: 'hello, Zoë 🌍' });
    await bridge.call('closeWorkspace', workspace);
    await bridge.call('removeWorkspace', workspace);
    await bridge.call('closeStores', stores);
    await bridge.call('deleteDatabase', stores);
  });

  it('keeps what plugins stored across a page reload (IndexedDB and the origin-private directory)', async () => {
    const stores = fresh('stores');
    const workspace = fresh('workspace');
    const open = async () => {
      await bridge.call('openStores', stores);
      await bridge.call('openWorkspace', workspace);
      await bridge.call('createHost', 'persist', { stores, workspace, policy: POLICY });
    };
    await open();
    const writes: [string, unknown][] = [
      ['host_storage_set', { key: 'kept', data: 'AAEC/w==' }],
      ['host_storage_set', { key: 'gone', data: 'eA==' }],
      ['host_storage_set', { key: 'gone', data: '' }],
      ['host_storage_set', { key: 'replaced', data: 'eA==' }],
      ['host_storage_set', { key: 'replaced', data: 'eQ==' }],
      ['host_secret_set', { key: 'token', value: 'Zoë s3cr3t' }],
      ['host_write_file', { path: 'notes/deep/kept.md', content: 'Zoë 🌍' }],
      ['host_write_binary', { path: 'bin/data.bin', content: 'AAEC/w==' }],
      ['host_write_file', { path: 'notes/gone.md', content: 'x' }],
      ['host_delete_file', { path: 'notes/gone.md' }],
    ];
    for (const [name, request] of writes)
      expect((await serve('persist', name, request)).outcome, name).toBe('ok');
    const created = JSON.parse(
      (await serve('persist', 'host_namespace_create', { metadata: { title: 'site' } })).answer as string,
    ) as {
      id: string;
    };
    const put = { ns_id: created.id, key: 'index.html', body_base64: 'PGgxPg==', mime_type: 'text/html' };
    expect((await serve('persist', 'host_namespace_put_object', put)).outcome).toBe('ok');
    await bridge.call('settleStores', stores);
    await bridge.call('settleWorkspace', workspace);

    await bridge.reload();
    await open();
    const reads: [string, unknown, string][] = [
      ['host_storage_get', { key: 'kept' }, '{"data":"AAEC/w=="}'],
      ['host_storage_get', { key: 'gone' }, ''],
      ['host_storage_get', { key: 'replaced' }, '{"data":"eQ=="}'],
      ['host_secret_get', { key: 'token' }, '{"value":"Zoë s3cr3t"}'],
      ['host_read_file', { path: 'notes/deep/kept.md' }, 'Zoë 🌍'],
      ['host_read_binary', { path: 'bin/data.bin' }, '{"data":"AAEC/w=="}'],
      ['host_file_exists', { path: 'notes/gone.md' }, 'false'],
      ['host_list_files', { prefix: '' }, '["bin","bin/data.bin","notes","notes/deep","notes/deep/kept.md"]'],
    ];
    for (const [name, request, answer] of reads)
      expect((await serve('persist', name, request)).answer, name).toBe(answer);
    expect(JSON.parse((await serve('persist', 'host_namespace_list', {})).answer as string)).toEqual([
      expect.objectContaining({ id: created.id, metadata: { title: 'site' } }),
    ]);
    const object = await serve('persist', 'host_namespace_get_object', {
      ns_id: created.id,
      key: 'index.html',
    });
    expect(JSON.parse(object.answer as string)).toMatchObject({ data: 'PGgxPg==' });
    await bridge.call('closeWorkspace', workspace);
    await bridge.call('removeWorkspace', workspace);
    await bridge.call('closeStores', stores);
    await bridge.call('deleteDatabase', stores);
  });
});

describe('WASI in Chromium: createBrowserWasiRunner', () => {
  const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');
  const run = (module: Uint8Array, timeoutMs: number): WasiRun => ({
    module,
    moduleKey: 'tools/x.wasm',
    args: ['tools/x.wasm'],
    env: {},
    stdin: new Uint8Array(),
    files: new Map(),
    outputFiles: new Map(),
    timeoutMs,
    memoryMaxPages: 16,
    maxOutputBytes: 1024,
  });

  it('serves host_run_wasi_module when given a runner: a module from IndexedDB storage runs in a Web Worker', async () => {
    const stores = fresh('stores');
    await bridge.call('openStores', stores);
    await bridge.call('createHost', 'wasi', { stores, policy: POLICY, wasi: true });
    const rows = (await bridge.call('coverage', 'wasi')) as { capability: string }[];
    expect(rows.find((row) => row.capability === 'wasi')).toEqual({
      capability: 'wasi',
      served: ['host_run_wasi_module'],
      missing: [],
    });
    const { copy } = await compileContractModules();
    const stored = await serve('wasi', 'host_storage_set', { key: 'tools/copy.wasm', data: b64(copy) });
    expect(stored.outcome).toBe('ok');
    const ran = await serve('wasi', 'host_run_wasi_module', {
      module_key: 'tools/copy.wasm',
      files: { 'in.txt': b64('Zoë 🌍') },
      output_files: ['out.txt'],
    });
    expect(ran).toMatchObject({ outcome: 'ok', synchronous: false });
    expect(JSON.parse(ran.answer as string)).toEqual({
      exit_code: 0,
      stdout: '',
      stderr: '',
      files: { 'out.txt': b64('Zoë 🌍') },
    });
    await bridge.call('closeStores', stores);
    await bridge.call('deleteDatabase', stores);
  });

  it('keeps the page answering while a module loops, until the worker is stopped at the timeout', async () => {
    const { loop } = await compileContractModules();
    let settled = false;
    const looping = pageWasiRunner(bridge)
      .run(run(loop, 3_000))
      .finally(() => (settled = true));
    // Ordering, not speed: the page answers another operation while the module still runs.
    expect(await bridge.call('heard', 'nothing')).toEqual([]);
    expect(settled).toBe(false);
    expect(await looping).toEqual({
      failure: 'timeout',
      message: 'timed out after 3000 ms; the module was stopped',
    });
  });

  it('answers a worker script that cannot be loaded as a failed run, naming no URL', async () => {
    const { exit7 } = await compileContractModules();
    expect(await pageWasiRunner(bridge, '/no-such-worker.js').run(run(exit7, 10_000))).toEqual({
      failure: 'failed',
      message:
        "the module's worker script could not be loaded (not found, not JavaScript, or not allowed by the page)",
    });
  });
});

describe('persistence failures are surfaced, never lost silently', () => {
  it('a directory write that cannot be saved rejects settled(), is heard, and refuses every later write', async () => {
    const workspace = fresh('workspace');
    await bridge.call('openWorkspace', workspace, { 'a.md': 'a' });
    // The directory goes away under the mirror: the write is answered, but cannot be saved.
    await bridge.call('removeWorkspace', workspace);
    bridge.callSync('filesCall', workspace, 'write', ['notes/b.md', new TextEncoder().encode('b')]);
    const failure = await bridge.call('settleWorkspace', workspace).catch((error: unknown) => error);
    expect(PlinthError.isInstance(failure) && failure.code).toBe('persistence_failed');
    expect((failure as Error).message).toMatch(
      /^workspace directory "workspace-\d+": the write of "notes\/b\.md" could not be saved: NotFoundError: .+\. Writes are refused from now on; reopen the store to continue from what was saved$/,
    );
    expect(await bridge.call('heard', workspace)).toEqual([(failure as Error).message]);
    expect(() => bridge.callSync('filesCall', workspace, 'write', ['c.md', new Uint8Array()])).toThrow(
      failure as Error,
    );
    expect(() => bridge.callSync('filesCall', workspace, 'delete', ['a.md'])).toThrow(failure as Error);
    // Reads still answer from the mirror.
    expect(bridge.callSync('filesCall', workspace, 'read', ['a.md'])).toEqual(new TextEncoder().encode('a'));
    await expect(bridge.call('closeWorkspace', workspace)).rejects.toThrow(failure as Error);
  });

  it('IndexedDB stores whose connection another page ended refuse writes with a typed error', async () => {
    const stores = fresh('stores');
    await bridge.call('openStores', stores);
    bridge.callSync('storeCall', stores, 'storage', 'set', ['acme.notes', 'k', new Uint8Array([1])]);
    await bridge.call('settleStores', stores);
    await bridge.call('upgradeDatabase', stores);
    let thrown: unknown;
    try {
      bridge.callSync('storeCall', stores, 'storage', 'set', ['acme.notes', 'k', new Uint8Array([2])]);
    } catch (error) {
      thrown = error;
    }
    expect(PlinthError.isInstance(thrown) && thrown.code).toBe('persistence_failed');
    expect((thrown as Error).message).toBe(
      `IndexedDB stores "${stores}": another page deleted or upgraded the database, so this connection was closed. Writes are refused from now on; reopen the store to continue from what was saved`,
    );
    expect(() => bridge.callSync('storeCall', stores, 'secrets', 'set', ['acme.notes', 's', 'v'])).toThrow(
      thrown as Error,
    );
    expect(bridge.callSync('storeCall', stores, 'storage', 'get', ['acme.notes', 'k'])).toEqual(
      new Uint8Array([1]),
    );
    expect(await bridge.call('heard', stores)).toEqual([(thrown as Error).message]);
    await expect(bridge.call('closeStores', stores)).rejects.toThrow(thrown as Error);
    await bridge.call('deleteDatabase', stores);
  });
});

describe('stores that cannot be opened say why', () => {
  it('refuses a database another app made under the same name', async () => {
    const name = fresh('foreign');
    await bridge.call('createForeignDatabase', name);
    const refused = await bridge.call('openStores', name).catch((error: unknown) => error);
    expect(PlinthError.isInstance(refused) && refused.code).toBe('store_unavailable');
    expect((refused as Error).message).toBe(
      `openIndexedDbStores: IndexedDB database "${name}" is not a Plinth store database (it has no object store "storage", "secrets", "namespaces", "namespace_objects")`,
    );
    await bridge.call('deleteDatabase', name);
  });

  it('refuses a directory larger than maxBytes, which the mirror would hold in memory', async () => {
    const name = fresh('workspace');
    const refused = await bridge
      .call('openWorkspace', name, { 'notes/a.md': '12345', 'notes/b.md': '6' }, 5)
      .catch((error: unknown) => error);
    expect(PlinthError.isInstance(refused) && refused.code).toBe('store_unavailable');
    expect((refused as Error).message).toBe(
      'openDirectoryFiles: the directory holds more than maxBytes (5 bytes), which the mirror would keep in memory; raise maxBytes or pick a smaller directory',
    );
    await bridge.call('removeWorkspace', name);
  });
});

describe('fetch in Chromium: what the browser adds', () => {
  let other: { server: Server; origin: string };
  beforeAll(async () => {
    // Another port is another origin: only its CORS headers let the page read its answers.
    other = await listen((request, response) => {
      const cors = request.url === '/open' ? { 'access-control-allow-origin': '*' } : {};
      response.writeHead(200, { 'content-type': 'text/plain', ...cors }).end('from the other origin');
    });
  });
  afterAll(() => stop(other?.server));

  const hop = (url: string, headers: Record<string, string> = {}): HttpTransportRequest => ({
    url,
    method: 'GET',
    headers,
    body: undefined,
    timeoutMs: 10_000,
    maxResponseBytes: 1024,
  });

  it('reads a cross-origin server that allows the page by CORS, and fails plainly on one that does not', async () => {
    const open = (await pageTransport.send(hop(`${other.origin}/open`))) as {
      status: number;
      body: Uint8Array;
    };
    expect(open.status).toBe(200);
    expect(new TextDecoder().decode(open.body)).toBe('from the other origin');
    expect(await pageTransport.send(hop(`${other.origin}/closed`))).toEqual({
      failure: 'network',
      message:
        "request failed: Failed to fetch (a network error, or the server does not allow this page's origin by CORS)",
    });
  });

  it('refuses a header the browser forbids scripts to set, instead of sending without it', async () => {
    expect(await pageTransport.send(hop(`${origin}/echo`, { Cookie: 'session=1' }))).toEqual({
      failure: 'network',
      message: 'header "Cookie" cannot be set from a browser (the browser sets it, or forbids scripts to)',
    });
  });
});

describe('WebSocket in Chromium: what the browser adds', () => {
  let server: Awaited<ReturnType<typeof openWsLoopbackServer>>;
  beforeAll(async () => {
    server = await openWsLoopbackServer();
  });
  afterAll(() => server?.close?.());
  const waitFor = <T>(check: () => T) => expect.poll(check, { timeout: 5_000 });
  const delivered = () => bridge.call('wsDeliveries', 'ws');

  it("refuses the guest's token, and without it connects: frames both ways, the page's Origin at the server", async () => {
    const stores = fresh('stores');
    await bridge.call('openStores', stores);
    await bridge.call('createHost', 'ws', { stores, policy: POLICY, ws: true });
    const connect = { type: 'connect', server_url: server.url, workspace_id: 'w1' };
    const before = server.connections().length;
    expect(await serve('ws', 'host_ws_request', { ...connect, auth_token: 'secret' })).toEqual({
      answer:
        '{"ok":false,"error":"host_ws_request: a browser cannot send WebSocket handshake headers (authorization, from auth_token); connect without them and authenticate over the connection"}',
      outcome: 'failure',
      synchronous: true,
    });
    expect(await serve('ws', 'host_ws_request', connect)).toEqual({
      answer: '{"ok":true}',
      outcome: 'ok',
      synchronous: true,
    });
    await waitFor(() => server.connections().length).toBe(before + 1);
    const peer = server.connections()[before] as WsContractPeer;
    expect(peer.path).toBe('/sync?workspace_id=w1');
    // CORS does not apply to WebSockets: the server is told the page's origin, and decides itself.
    expect(peer.headers).toEqual({ authorization: undefined, origin });
    await waitFor(delivered).toEqual([
      [PLUGIN, 'on_connected', '{"workspace_id":"w1","write_to_disk":true}'],
    ]);

    peer.send('to the plugin');
    peer.send(new Uint8Array([1, 2]));
    expect(
      await serve('ws', 'host_ws_request', { type: 'send_text', text: 'from the plugin' }),
    ).toMatchObject({
      outcome: 'ok',
    });
    await waitFor(() => peer.received).toEqual(['from the plugin']);
    await bridge.call('closeHost', 'ws');
    await waitFor(() => peer.closeCode).toBe(1000);
    await waitFor(delivered).toEqual([
      [PLUGIN, 'on_connected', '{"workspace_id":"w1","write_to_disk":true}'],
      [PLUGIN, 'handle_text_message', 'to the plugin'],
      [PLUGIN, 'handle_binary_message', 'hex:0102'],
      [PLUGIN, 'on_disconnected', ''],
    ]);
    expect(server.connections()).toHaveLength(before + 1);
    await bridge.call('closeStores', stores);
    await bridge.call('deleteDatabase', stores);
  });
});
