import { defineOptions, functionOption, objectOption, STORAGE_QUOTA } from '@plinth/protocol';
import { z } from 'zod';
import type { FilesBundleOptions, WorkspaceFiles } from '../capabilities/files.js';
import type { HttpBundleOptions, HttpTransport } from '../capabilities/http.js';
import type { NamespacesBundleOptions, NamespaceStore } from '../capabilities/namespaces.js';
import type { PermissionGateOptions } from '../capabilities/permission-gate.js';
import type {
  KeyValueStore,
  SecretsBundleOptions,
  SecretStore,
  StorageBundleOptions,
} from '../capabilities/storage.js';
import { auditOption, checkerOption } from './shared-options.js';

/** Option schemas of the capability bundles (files, storage, secrets, namespaces, HTTP). */

const gateShape = {
  permissions: checkerOption,
  workspaceRoot: z.string().optional(),
  ask: z.boolean().optional(),
  audit: auditOption.optional(),
};

export const permissionGateOptionsSchema = defineOptions<PermissionGateOptions>()(z.strictObject(gateShape));

export const filesBundleOptionsSchema = defineOptions<FilesBundleOptions>()(
  z.strictObject({
    ...gateShape,
    files: objectOption<WorkspaceFiles>(
      'a WorkspaceFiles service (stat, read, hash, list, listDir, write, delete)',
      ['stat', 'read', 'hash', 'list', 'listDir', 'write', 'delete'],
    ),
    onFileEvent: functionOption().optional(),
  }),
);

const storedValueShape = {
  ...gateShape,
  quotaFor: functionOption('a function (pluginId) => bytes').optional(),
};

const keyValueMethods = ['get', 'set', 'delete'];

export const storageBundleOptionsSchema = defineOptions<StorageBundleOptions>()(
  z.strictObject({
    ...storedValueShape,
    store: objectOption<KeyValueStore>('a KeyValueStore (get, set, delete)', keyValueMethods),
  }),
);

export const secretsBundleOptionsSchema = defineOptions<SecretsBundleOptions>()(
  z.strictObject({
    ...storedValueShape,
    secrets: objectOption<SecretStore>('a SecretStore (get, set, delete)', keyValueMethods),
  }),
);

const namespaceExtrasShape = {
  ownerUserId: z.string().min(1).optional(),
  clock: functionOption<() => number>('a function returning ms since the epoch').optional(),
  newId: functionOption<() => string>('a function returning a fresh id').optional(),
};

export const namespacesBundleOptionsSchema = defineOptions<NamespacesBundleOptions>()(
  z.strictObject({
    ...storedValueShape,
    ...namespaceExtrasShape,
    store: objectOption<NamespaceStore>('a NamespaceStore', [
      'createNamespace',
      'getNamespace',
      'listNamespaces',
      'putObject',
      'getObject',
      'deleteObject',
      'listObjects',
    ]),
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

export const httpBundleOptionsSchema = defineOptions<HttpBundleOptions>()(
  z.strictObject({
    ...httpShape,
    transport: objectOption<HttpTransport>('an HttpTransport (with send)', ['send']),
  }),
);
