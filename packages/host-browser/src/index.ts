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
// WebSockets through the browser's WebSocket, for createWsBundle.
export {
  createBrowserWsConnector,
  WS_BROWSER_CLOSE_TOO_BIG,
  type BrowserWsConnectorOptions,
} from './ws/browser-ws-connector.js';
// WASI preview1 commands, each run in a Web Worker of its own over an in-memory file system.
export {
  createBrowserWasiRunner,
  DEFAULT_WASI_SANDBOX_MAX_BYTES,
  type BrowserWasiRunnerOptions,
} from './wasi/browser-wasi-runner.js';
// Option schemas of the factories above.
export {
  browserHostOptionsSchema,
  browserWasiRunnerOptionsSchema,
  browserWsConnectorOptionsSchema,
  directoryFilesOptionsSchema,
  fetchTransportOptionsSchema,
  indexedDbStoresOptionsSchema,
} from './options.js';
