import {
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
} from '@plinth/testkit/contracts';
import { afterAll, beforeAll, expect } from 'vitest';
import { fresh, openHostBrowserPage, proxied, type HostBrowserPage } from './host-browser-setup.js';

// @plinth/host-browser's backends for real, inside headless Chromium: the contract suites the Node
// backends and the twins pass, run against IndexedDB, the origin-private file system and fetch. The
// bundles run here; every service call they make is answered by the page at once (see page-bridge.ts).

let page: HostBrowserPage;
beforeAll(async () => {
  page = await openHostBrowserPage();
}, 60_000);
afterAll(async () => {
  // The 404s the HTTP contract asks for are reported by the browser as console errors.
  expect((await page?.close())?.filter((problem) => !/Failed to load resource/.test(problem))).toEqual([]);
});

const KEY_VALUE = ['get', 'set', 'delete'];
const NAMESPACES = [
  'createNamespace',
  'getNamespace',
  'listNamespaces',
  'putObject',
  'getObject',
  'deleteObject',
  'listObjects',
];
const FILES = ['stat', 'read', 'hash', 'list', 'listDir', 'write', 'delete'];

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
