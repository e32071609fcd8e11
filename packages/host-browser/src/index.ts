// @plinth/host-browser: a browser host for Plinth plugins, on the host kit's service interfaces. Runtime-
// neutral: no `node:` imports; IndexedDB, directory handles and fetch are the browser's.

// The composed host: one bundle of every capability the browser serves.
export {
  createBrowserHost,
  type BrowserHost,
  type BrowserHostOptions,
  type BrowserHostStores,
} from './browser-host.js';
// Plugin storage, secrets and namespaces on IndexedDB: loaded into memory, written through in order.
export {
  openIndexedDbStores,
  type IndexedDbStores,
  type IndexedDbStoresOptions,
} from './indexeddb/open-indexeddb-stores.js';
// Workspace files over a directory handle (a picked folder or the origin-private file system).
export {
  DEFAULT_DIRECTORY_MAX_BYTES,
  openDirectoryFiles,
  type DirectoryFiles,
  type DirectoryFilesOptions,
} from './files/directory-files.js';
// HTTP through fetch, one hop per send.
export { createFetchTransport, type FetchTransportOptions } from './http/fetch-transport.js';
// Option schemas of the factories above.
export {
  browserHostOptionsSchema,
  directoryFilesOptionsSchema,
  fetchTransportOptionsSchema,
  indexedDbStoresOptionsSchema,
} from './options.js';
