import { defineOptions, functionOption, objectOption, STORAGE_QUOTA } from '@plinth/protocol';
import { z } from 'zod';
import type { FilesBundleOptions, WorkspaceFiles } from '../capabilities/files.js';
import type { HttpBundleOptions, HttpTransport } from '../capabilities/http.js';
import type { NamespacesBundleOptions, NamespaceStore } from '../capabilities/namespaces.js';
import type { PermissionGateOptions } from '../bundle/permission-gate.js';
import type { ReadPluginModule, WasiBundleOptions } from '../capabilities/wasi/wasi-bundle.js';
import type { WasiRunner } from '../capabilities/wasi/wasi-runner.js';
import type { DeliverToGuest } from '../capabilities/ws/delivery-queue.js';
import type { ReconnectTimers } from '../capabilities/ws/reconnect-backoff.js';
import type { WsBundleOptions } from '../capabilities/ws/ws-bundle.js';
import type { WsConnector } from '../capabilities/ws/ws-connector.js';
import type {
  KeyValueStore,
  SecretsBundleOptions,
  SecretStore,
  StorageBundleOptions,
} from '../capabilities/storage.js';
import { auditOption, checkerOption } from './shared-options.js';

/** Option schemas of the capability bundles (files, storage, secrets, namespaces, HTTP, WASI, WebSocket). */

/** The methods of each store service, as option checks test for them and proxies forward them. */
export const SERVICE_METHODS = Object.freeze({
  files: ['stat', 'read', 'hash', 'list', 'listDir', 'write', 'delete'],
  keyValue: ['get', 'set', 'delete'],
  namespaces: [
    'createNamespace',
    'getNamespace',
    'listNamespaces',
    'putObject',
    'getObject',
    'deleteObject',
    'listObjects',
  ],
} as const satisfies {
  files: readonly (keyof WorkspaceFiles)[];
  keyValue: readonly (keyof KeyValueStore & keyof SecretStore)[];
  namespaces: readonly (keyof NamespaceStore)[];
});

const gateShape = {
  permissions: checkerOption,
  workspaceRoot: z.string().optional(),
  ask: z.boolean().optional(),
  audit: auditOption.optional(),
};

/** The zod schema `createPermissionGate` checks its options with (fields every capability bundle takes). */
export const permissionGateOptionsSchema = defineOptions<PermissionGateOptions>()(z.strictObject(gateShape));

/** The zod schema `createFilesBundle` checks its options with. */
export const filesBundleOptionsSchema = defineOptions<FilesBundleOptions>()(
  z.strictObject({
    ...gateShape,
    files: objectOption<WorkspaceFiles>(
      'a WorkspaceFiles service (stat, read, hash, list, listDir, write, delete)',
      SERVICE_METHODS.files,
    ),
    /** Hears about every successful write and delete; a throwing listener does not fail the write. */
    onFileEvent: functionOption().optional(),
  }),
);

const storedValueShape = {
  ...gateShape,
  /** Per-plugin quota for each written value, in bytes (`0`: unlimited). Default: 1 MiB for everyone. */
  quotaFor: functionOption('a function (pluginId) => bytes').optional(),
};

/** Any KeyValueStore (get, set, delete), for adapters whose options take one. */
export const keyValueStoreOption = objectOption<KeyValueStore>(
  'a KeyValueStore (get, set, delete)',
  SERVICE_METHODS.keyValue,
);

/** Any NamespaceStore (the methods the namespaces bundle calls). */
export const namespaceStoreOption = objectOption<NamespaceStore>(
  'a NamespaceStore',
  SERVICE_METHODS.namespaces,
);

/** Any SecretStore (get, set, delete). */
export const secretStoreOption = objectOption<SecretStore>(
  'a SecretStore (get, set, delete)',
  SERVICE_METHODS.keyValue,
);

/** The zod schema `createStorageBundle` checks its options with. */
export const storageBundleOptionsSchema = defineOptions<StorageBundleOptions>()(
  z.strictObject({
    ...storedValueShape,
    store: keyValueStoreOption,
  }),
);

/** The zod schema `createSecretsBundle` checks its options with. */
export const secretsBundleOptionsSchema = defineOptions<SecretsBundleOptions>()(
  z.strictObject({
    ...storedValueShape,
    secrets: secretStoreOption,
  }),
);

const namespaceExtrasShape = {
  ownerUserId: z.string().min(1).optional(),
  /** Milliseconds since the epoch for `created_at` and `updated_at`. Default `Date.now`. */
  clock: functionOption<() => number>('a function returning ms since the epoch').optional(),
  /** New namespace ids. Default `crypto.randomUUID()`. */
  newId: functionOption<() => string>('a function returning a fresh id').optional(),
};

/** The zod schema `createNamespacesBundle` checks its options with. */
export const namespacesBundleOptionsSchema = defineOptions<NamespacesBundleOptions>()(
  z.strictObject({
    ...storedValueShape,
    ...namespaceExtrasShape,
    store: namespaceStoreOption,
  }),
);

/** The second argument of `storageQuotaFromPolicy`, checked as an option. */
export const quotaOptionsSchema = defineOptions<{ hostDefaultBytes?: number | undefined }>()(
  z.strictObject({
    hostDefaultBytes: z
      .int()
      .min(0)
      .max(STORAGE_QUOTA.maxBytes)
      .describe(`a whole number from 0 (unlimited) to ${STORAGE_QUOTA.maxBytes} (1 GiB)`)
      .optional(),
  }),
);

const positiveWhole = z.int().min(1).describe('a positive whole number');

const httpShape = {
  permissions: checkerOption,
  limits: z
    .strictObject({ responseMaxBytes: positiveWhole.optional(), defaultTimeoutMs: positiveWhole.optional() })
    .optional(),
  maxRedirects: z.int().min(0).describe('a whole number (0 or more)').optional(),
  ask: z.boolean().optional(),
  audit: auditOption.optional(),
};

/** The zod schema `createHttpBundle` checks its options with. */
export const httpBundleOptionsSchema = defineOptions<HttpBundleOptions>()(
  z.strictObject({
    ...httpShape,
    transport: objectOption<HttpTransport>('an HttpTransport (with send)', ['send']),
  }),
);

/** The zod schema `createWasiBundle` checks its options with. */
export const wasiBundleOptionsSchema = defineOptions<WasiBundleOptions>()(
  z.strictObject({
    ...gateShape,
    runner: objectOption<WasiRunner>('a WasiRunner (with run)', ['run']),
    readModule: functionOption<ReadPluginModule>('a function (pluginId, key) => module bytes'),
    timeoutMs: positiveWhole.optional(),
    memoryMaxPages: z.int().min(1).max(65_536).describe('a whole number of pages from 1 to 65536').optional(),
    maxOutputBytes: positiveWhole.optional(),
    moduleMaxBytes: positiveWhole.optional(),
  }),
);

/** The zod schema `createWsBundle` checks its options with. */
export const wsBundleOptionsSchema = defineOptions<WsBundleOptions>()(
  z.strictObject({
    connector: objectOption<WsConnector>('a WsConnector (with connect)', ['connect']),
    permissions: checkerOption,
    deliver: functionOption<DeliverToGuest>('a function (pluginId, exportName, input) delivering a frame'),
    ask: z.boolean().optional(),
    audit: auditOption.optional(),
    timers: objectOption<ReconnectTimers>('ReconnectTimers (with set and clear)', [
      'set',
      'clear',
    ]).optional(),
    maxMessageBytes: positiveWhole.optional(),
    maxQueuedMessages: positiveWhole.optional(),
    /** Hears every open, close, reconnect, error and failed delivery. */
    onEvent: functionOption().optional(),
  }),
);
