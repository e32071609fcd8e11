import {
  SERVICE_METHODS,
  createFilesBundle,
  type HttpTransport,
  type KeyValueStore,
  type NamespaceStore,
  type SecretStore,
  type WorkspaceFiles,
} from '@plinth/host-kit';
import {
  describeFilesContract,
  describeHttpContract,
  describeNamespacesContract,
  describeSecretsContract,
  describeStorageContract,
  describeWasiContract,
  describeWsContract,
} from '@plinth/testkit/contracts';
import { afterAll, beforeAll, expect } from 'vitest';
import { WS_BROWSER_CLOSE_TOO_BIG } from '@plinth/host-browser';
import { compileContractModules } from '../contracts/wasi-contract-modules.js';
import { openWsLoopbackServer } from '../contracts/ws-loopback-server.js';
import { fresh, openHostBrowserPage, proxied, type HostBrowserPage } from './host-browser-setup.js';
import { pageWasiRunner } from './page-wasi-runner.js';
import { pageWsConnector } from './page-ws-connector.js';

// @plinth/host-browser's backends for real, inside headless Chromium: the contract suites the Node
// backends and the twins pass, run against IndexedDB, the origin-private file system, fetch, WebSocket
// and Web Workers running WASI.
// The bundles run here; every service call they make is answered by the page at once (see page-bridge.ts),
// and what a page WebSocket reports later reaches the bundle as a notice from the page.

let page: HostBrowserPage;
beforeAll(async () => {
  page = await openHostBrowserPage();
}, 60_000);
afterAll(async () => {
  // The 404s the HTTP contract asks for are reported by the browser as console errors.
  expect((await page?.close())?.filter((problem) => !/Failed to load resource/.test(problem))).toEqual([]);
});

const { keyValue: KEY_VALUE, namespaces: NAMESPACES, files: FILES } = SERVICE_METHODS;

/** Fresh IndexedDB stores in the page; closing waits until every write is saved, then deletes the database. */
async function pageStores() {
  const name = fresh('stores');
  await page.bridge.call('openStores', name);
  const store = <T>(kind: string, methods: readonly string[]) =>
    proxied<T>(methods, (method, args) => page.bridge.callSync('storeCall', name, kind, method, args));
  return {
    storage: store<KeyValueStore>('storage', KEY_VALUE),
    secrets: store<SecretStore>('secrets', KEY_VALUE),
    namespaces: store<NamespaceStore>('namespaces', NAMESPACES),
    synchronous: true,
    close: async () => {
      await page.bridge.call('closeStores', name);
      await page.bridge.call('deleteDatabase', name);
    },
  };
}

describeStorageContract('IndexedDB in Chromium (@plinth/host-browser)', pageStores);
describeSecretsContract('IndexedDB in Chromium (@plinth/host-browser)', pageStores);
describeNamespacesContract('IndexedDB in Chromium (@plinth/host-browser)', pageStores);

describeFilesContract('origin-private directory in Chromium (@plinth/host-browser)', async (setup) => {
  const { files, ...options } = setup;
  const name = fresh('workspace');
  await page.bridge.call('openWorkspace', name, files);
  const service = proxied<WorkspaceFiles>(FILES, (method, args) =>
    page.bridge.callSync('filesCall', name, method, args),
  );
  return {
    bundle: createFilesBundle({ ...options, files: service, workspaceRoot: '/workspace' }),
    workspaceRoot: '/workspace',
    cleanup: async () => {
      // Whatever the test did, the directory must hold exactly what the mirror answers.
      await page.bridge.call('settleWorkspace', name);
      const mirrored = Object.fromEntries(
        service
          .list('')
          .filter((path) => service.stat(path)?.kind === 'file')
          .map((path) => [path, service.read(path)]),
      );
      expect(await page.bridge.call('readWorkspace', name)).toEqual(mirrored);
      await page.bridge.call('closeWorkspace', name);
      await page.bridge.call('removeWorkspace', name);
    },
  };
});

const pageTransport: HttpTransport = {
  send: (request) => page.bridge.call('httpSend', request) as ReturnType<HttpTransport['send']>,
};

describeHttpContract('fetch in Chromium, same origin (@plinth/host-browser)', () => ({
  transport: pageTransport,
  origin: page.origin,
  redirects: 'opaque',
}));

describeWsContract('WebSocket in Chromium, to a loopback server (@plinth/host-browser)', async () => {
  const server = await openWsLoopbackServer();
  const connector = pageWsConnector(page.bridge);
  return {
    ...server,
    connector,
    // A browser cannot send the token's header, nor close with 1009.
    handshakeHeaders: 'refused',
    oversizeCloseCode: WS_BROWSER_CLOSE_TOO_BIG,
    close: async () => {
      connector.stop();
      await server.close?.();
    },
  };
});

// Runs cross the bridge asynchronously (run() answers a promise); each runs in a Web Worker of the page.
describeWasiContract('browser_wasi_shim in a Web Worker in Chromium (@plinth/host-browser)', async () => ({
  runner: pageWasiRunner(page.bridge),
  modules: await compileContractModules(),
}));
