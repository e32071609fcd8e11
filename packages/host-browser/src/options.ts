import type { DeliverToGuest, WorkspaceFiles, WsConnector } from '@plinth/host-kit';
import {
  auditOption,
  checkerOption,
  type HostClock,
  type HttpTransport,
  keyValueStoreOption,
  namespaceStoreOption,
  secretStoreOption,
  type RuntimeContextBundleOptions,
} from '@plinth/host-kit';
import { type WasiRunner, wasiBundleOptionsSchema } from '@plinth/host-kit';
import { defineOptions, functionOption, objectOption, type PlinthError } from '@plinth/protocol';
import { z } from 'zod';
import type { BrowserHostOptions, BrowserHostStores } from './browser-host.js';
import type { DirectoryFilesOptions } from './files/directory-files.js';
import type { FetchTransportOptions } from './http/fetch-transport.js';
import type { IndexedDbStoresOptions } from './indexeddb/open-indexeddb-stores.js';
import type { BrowserWsConnectorOptions } from './ws/browser-ws-connector.js';
import type { BrowserWasiRunnerOptions } from './wasi/browser-wasi-runner.js';

// Option schemas of this package's factories: each checks its options with its schema first.

const positiveWhole = z.int().min(1).describe('a positive whole number');
const onPersistenceFailure = functionOption<(error: PlinthError) => void>(
  'a function taking the PlinthError',
).optional();

/** The zod schema `openIndexedDbStores` checks its options with. */
export const indexedDbStoresOptionsSchema = defineOptions<IndexedDbStoresOptions>()(
  z.strictObject({
    name: z.string().min(1).describe('a non-empty database name'),
    indexedDB: objectOption<IDBFactory>('an IDBFactory (with open)', ['open']).optional(),
    /** Hears the first persistence failure at once. */
    onPersistenceFailure,
  }),
);

/** The zod schema `openDirectoryFiles` checks its options with. */
export const directoryFilesOptionsSchema = defineOptions<DirectoryFilesOptions>()(
  z.strictObject({
    directory: objectOption<FileSystemDirectoryHandle>(
      'a FileSystemDirectoryHandle (with entries, getDirectoryHandle, getFileHandle, removeEntry)',
      ['entries', 'getDirectoryHandle', 'getFileHandle', 'removeEntry'],
    ),
    maxBytes: positiveWhole.optional(),
    /** The clock for modification times of written files. Default `Date.now`. */
    now: functionOption<() => number>('a function returning ms since the epoch').optional(),
    /** Hears the first persistence failure at once. */
    onPersistenceFailure,
  }),
);

/** The zod schema `createFetchTransport` checks its options with. */
export const fetchTransportOptionsSchema = defineOptions<FetchTransportOptions>()(
  z.strictObject({
    /** The fetch to send with. Default `globalThis.fetch`. */
    fetch: functionOption<typeof globalThis.fetch>('a fetch function').optional(),
  }),
);

/** The zod schema `createBrowserWsConnector` checks its options with. */
export const browserWsConnectorOptionsSchema = defineOptions<BrowserWsConnectorOptions>()(
  z.strictObject({
    /** The WebSocket constructor. Default `globalThis.WebSocket`. */
    // A constructor, which functionOption's callable type does not describe.
    WebSocket: z
      .custom<typeof WebSocket>((value) => typeof value === 'function', { error: 'a WebSocket constructor' })
      .describe('a WebSocket constructor')
      .optional(),
  }),
);

/** The zod schema `createBrowserWasiRunner` checks its options with. */
export const browserWasiRunnerOptionsSchema = defineOptions<BrowserWasiRunnerOptions>()(
  z.strictObject({
    /** The worker script's URL. Default: `wasi-worker.js` beside the runner's module. */
    workerUrl: z
      .union([z.string().min(1), z.instanceof(URL)])
      .describe('the worker script URL')
      .optional(),
    /** The most bytes the sandbox's files may hold together. Default 64 MiB. */
    maxSandboxBytes: positiveWhole.optional(),
  }),
);

/** The zod schema `createBrowserHost` checks its options with. */
export const browserHostOptionsSchema = defineOptions<BrowserHostOptions>()(
  z.strictObject({
    permissions: checkerOption,
    audit: auditOption.optional(),
    ask: z.boolean().optional(),
    // Not strict: `openIndexedDbStores` answers more than the three stores.
    stores: z.object({
      storage: keyValueStoreOption,
      secrets: secretStoreOption,
      namespaces: namespaceStoreOption,
    }) satisfies z.ZodType<BrowserHostStores>,
    files: objectOption<WorkspaceFiles>(
      'a WorkspaceFiles service (stat, read, hash, list, listDir, write, delete)',
      ['stat', 'read', 'hash', 'list', 'listDir', 'write', 'delete'],
    ).optional(),
    workspaceRoot: z.string().optional(),
    /** Hears every file a plugin created, saved or deleted. */
    onFileEvent: functionOption().optional(),
    transport: objectOption<HttpTransport>('an HttpTransport (with send)', ['send']).optional(),
    httpLimits: z
      .strictObject({
        responseMaxBytes: positiveWhole.optional(),
        defaultTimeoutMs: positiveWhole.optional(),
      })
      .optional(),
    /** Per-plugin size limit of one stored value, in bytes (`0`: unlimited). Default 1 MiB. */
    quotaFor: functionOption('a function (pluginId) => bytes').optional(),
    /** Where guest log lines go. Default: the console. */
    log: functionOption('a GuestLogSink (a function taking each entry)').optional(),
    /** Where events plugins emit go. Default: nowhere. */
    onEvent: functionOption('a function taking each emitted event').optional(),
    clock: objectOption<HostClock>('a HostClock (with now)', ['now']).optional(),
    // Checked by createBasicBundle, which it is handed to.
    runtimeContext: objectOption<RuntimeContextBundleOptions>('runtime context options').optional(),
    /** The WebSocket connector. Default `createBrowserWsConnector()`; used only with `deliver`. */
    ws: objectOption<WsConnector>('a WsConnector (with connect)', ['connect']).optional(),
    /** Calls a plugin's WebSocket exports; without it the WebSocket functions are not served. */
    deliver: functionOption<DeliverToGuest>(
      'a function (pluginId, exportName, input) calling the plugin',
    ).optional(),
    /** Hears every WebSocket open, close, reconnect, error and failed delivery. */
    onWsEvent: functionOption('a function taking each WebSocket event').optional(),
    /** Runs `host_run_wasi_module`, e.g. `createBrowserWasiRunner()`; without it WASI is not served. */
    wasi: objectOption<WasiRunner>('a WasiRunner (with run)', ['run']).optional(),
    /** Limits of each WASI run: host-kit's `createWasiBundle` checks them. */
    wasiLimits: wasiBundleOptionsSchema
      .pick({ timeoutMs: true, memoryMaxPages: true, maxOutputBytes: true, moduleMaxBytes: true })
      .optional(),
    /** The engine's plugin-to-plugin functions (`registry.bundle()`). */
    plugins: z.record(z.string(), functionOption('a host-function handler')).optional(),
  }),
);
