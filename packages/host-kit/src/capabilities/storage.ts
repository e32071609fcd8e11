import type { CapabilityBundle } from '../bundle/coverage.js';
import { fitsQuota, formatBytes, resolveStorageQuota, type CompiledPolicy } from '@plinth/permissions';
import { checkOptions, STORAGE_QUOTA, type Policy } from '@plinth/protocol';
import {
  quotaOptionsSchema,
  secretsBundleOptionsSchema,
  storageBundleOptionsSchema,
} from '../options/capability-options.js';
import { decodeBase64Strict, encodeBase64 } from './base64.js';
import { andThen, permissionGate, type PermissionGateOptions } from '../bundle/permission-gate.js';

/** A value now, or later. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * A plugin's key-value storage. Keys are scoped by plugin id; a backend must keep `(pluginId, key)` pairs
 * apart exactly (two columns, nested maps — never a joined or folded string), so no plugin id and key can
 * reach another plugin's value. A synchronous store (SQLite, the twins) serves both lanes; one that
 * answers promises (a database over the network) makes its functions asynchronous, so the plugins using
 * them need the isolated lane. A rejection reaches the guest as the function's failure, never a trap.
 */
export interface KeyValueStore {
  /** The plugin's value under `key`, or undefined when there is none. */
  get(pluginId: string, key: string): MaybePromise<Uint8Array | undefined>;
  /** Stores (or replaces) the plugin's value under `key`; the bundle has checked the quota already. */
  set(pluginId: string, key: string, value: Uint8Array): MaybePromise<void>;
  /** Whether a value was there. */
  delete(pluginId: string, key: string): MaybePromise<boolean>;
}

/** A plugin's secrets: kept apart from its storage, never exposed through storage, config or context. */
export interface SecretStore {
  /** The plugin's secret under `key`, or undefined when there is none. */
  get(pluginId: string, key: string): MaybePromise<string | undefined>;
  /** Stores (or replaces) the plugin's secret under `key`. */
  set(pluginId: string, key: string, value: string): MaybePromise<void>;
  /** Whether a secret was there. */
  delete(pluginId: string, key: string): MaybePromise<boolean>;
}

/** A `KeyValueStore` that answers at once (SQLite, the twins): its functions serve the in-thread lane. */
export interface SyncKeyValueStore extends KeyValueStore {
  get(pluginId: string, key: string): Uint8Array | undefined;
  set(pluginId: string, key: string, value: Uint8Array): void;
  delete(pluginId: string, key: string): boolean;
}

/** A `SecretStore` that answers at once. */
export interface SyncSecretStore extends SecretStore {
  get(pluginId: string, key: string): string | undefined;
  set(pluginId: string, key: string, value: string): void;
  delete(pluginId: string, key: string): boolean;
}

/** The most bytes one written value may have for a plugin; `0` = unlimited. */
export type QuotaFor = (pluginId: string) => number;

/** Options every storage-like bundle shares: the permission gate plus the per-value quota. */
export interface StoredValueBundleOptions extends PermissionGateOptions {
  /** Per-plugin quota for each written value. Default: 1 MiB for everyone (see `storageQuotaFromPolicy`). */
  quotaFor?: QuotaFor | undefined;
}

export interface StorageBundleOptions extends StoredValueBundleOptions {
  store: KeyValueStore;
}

export interface SecretsBundleOptions extends StoredValueBundleOptions {
  secrets: SecretStore;
}

/** Where `storageQuotaFromPolicy` reads the current policy on each write. */
export type QuotaPolicySource =
  | Policy
  | CompiledPolicy
  | {
      /** The policy in force now (a `PolicyStore` has this). */
      current(): Policy | CompiledPolicy;
    }
  | (() => Policy | CompiledPolicy);

/**
 * A `quotaFor` that follows the policy: `plugin_storage.quota_bytes` of the plugin's rule, else
 * `hostDefaultBytes`, else 1 MiB (`resolveStorageQuota`). Read on every write, so a `PolicyStore` source
 * sees policy changes without a restart.
 */
export function storageQuotaFromPolicy(source: QuotaPolicySource, hostDefaultBytes?: number): QuotaFor {
  // A bad host default is a setup mistake: refuse it now, not on the first write.
  checkOptions('storageQuotaFromPolicy', quotaOptionsSchema, { hostDefaultBytes });
  const current = (): Policy | CompiledPolicy =>
    typeof source === 'function' ? source() : 'current' in source ? source.current() : source;
  return (pluginId) =>
    resolveStorageQuota({
      pluginId,
      policy: current(),
      ...(hostDefaultBytes === undefined ? {} : { hostDefaultBytes }),
    }).bytes;
}

const defaultQuota: QuotaFor = () => STORAGE_QUOTA.defaultBytes;

/** Longest key accepted, in UTF-16 code units: keys are names, not a way around the value quota. */
export const MAX_STORAGE_KEY_LENGTH = 4096;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a key or text value cannot be stored exactly, or `undefined`. Lone surrogates would be replaced by
 * U+FFFD on the way to UTF-8 (two keys becoming one); NUL is cut short by some backends.
 */
export function storedTextProblem(field: string, value: string, maxLength?: number): string | undefined {
  if (maxLength !== undefined && value.length > maxLength) {
    return `${field} is ${value.length} characters long; at most ${maxLength} are allowed`;
  }
  if (value.includes('\0')) return `${field} must not contain a NUL character`;
  if (LONE_SURROGATE.test(value)) return `${field} must be valid Unicode (it contains a lone surrogate)`;
  return undefined;
}

/** The quota refusal for one value, or `undefined` when it fits. Shared with the namespaces bundle. */
export function storedValueQuotaProblem(
  quotaFor: QuotaFor,
  pluginId: string,
  sizeBytes: number,
): string | undefined {
  const quota = quotaFor(pluginId);
  if (!Number.isInteger(quota) || quota < 0)
    return 'the storage quota for this plugin is misconfigured on the host';
  if (fitsQuota(quota, sizeBytes)) return undefined;
  return `value of ${sizeBytes} bytes exceeds the storage quota of ${formatBytes(quota)} for plugin '${pluginId}'`;
}

/** The empty success answer, once a write settled (its own result is not the guest's business). */
const answerEmpty = (): string => '';

/**
 * `host_storage_get` and `host_storage_set` over a `KeyValueStore`. Checks `plugin_storage` on the key
 * (catalogue target) before any I/O, then the value against the plugin's quota. Synchronous unless
 * `ask` is set (then the isolated lane is needed). Backend exceptions become the runtime's "internal error".
 */
export function createStorageBundle(options: StorageBundleOptions): CapabilityBundle<'storage'> {
  checkOptions('createStorageBundle', storageBundleOptionsSchema, options);
  const { store, quotaFor = defaultQuota } = options;
  const gate = permissionGate(options);
  return {
    host_storage_get: (request, context) =>
      gate.guardRequest('host_storage_get', request, context, () => {
        if (storedTextProblem('key', request.key, MAX_STORAGE_KEY_LENGTH) !== undefined) return '';
        return andThen(store.get(context.pluginId, request.key), (value) =>
          value === undefined ? '' : JSON.stringify({ data: encodeBase64(value) }),
        );
      }),
    host_storage_set: (request, context) =>
      gate.guardRequest('host_storage_set', request, context, () => {
        const keyProblem = storedTextProblem('key', request.key, MAX_STORAGE_KEY_LENGTH);
        if (keyProblem !== undefined) return { failure: keyProblem };
        const value = decodeBase64Strict(request.data);
        if (value === undefined) return { failure: 'data must be standard base64' };
        if (value.length === 0) return andThen(store.delete(context.pluginId, request.key), answerEmpty);
        const overQuota = storedValueQuotaProblem(quotaFor, context.pluginId, value.length);
        if (overQuota !== undefined) return { failure: overQuota };
        return andThen(store.set(context.pluginId, request.key, value), answerEmpty);
      }),
  };
}

const utf8Length = (text: string): number => new TextEncoder().encode(text).length;

/**
 * `host_secret_get`, `host_secret_set` and `host_secret_delete` over a `SecretStore`. Gated by
 * `plugin_storage` on the key like storage (catalogue); a secret's UTF-8 size counts against the same
 * per-value quota. An empty value is stored as is (only `host_secret_delete` deletes).
 */
export function createSecretsBundle(options: SecretsBundleOptions): CapabilityBundle<'secrets'> {
  checkOptions('createSecretsBundle', secretsBundleOptionsSchema, options);
  const { secrets, quotaFor = defaultQuota } = options;
  const gate = permissionGate(options);
  return {
    host_secret_get: (request, context) =>
      gate.guardRequest('host_secret_get', request, context, () => {
        if (storedTextProblem('key', request.key, MAX_STORAGE_KEY_LENGTH) !== undefined) return '';
        return andThen(secrets.get(context.pluginId, request.key), (value) =>
          value === undefined ? '' : JSON.stringify({ value }),
        );
      }),
    host_secret_set: (request, context) =>
      gate.guardRequest('host_secret_set', request, context, () => {
        const problem =
          storedTextProblem('key', request.key, MAX_STORAGE_KEY_LENGTH) ??
          storedTextProblem('value', request.value);
        if (problem !== undefined) return { failure: problem };
        const overQuota = storedValueQuotaProblem(quotaFor, context.pluginId, utf8Length(request.value));
        if (overQuota !== undefined) return { failure: overQuota };
        return andThen(secrets.set(context.pluginId, request.key, request.value), answerEmpty);
      }),
    host_secret_delete: (request, context) =>
      gate.guardRequest('host_secret_delete', request, context, () => {
        const problem = storedTextProblem('key', request.key, MAX_STORAGE_KEY_LENGTH);
        if (problem !== undefined) return { failure: problem };
        return andThen(secrets.delete(context.pluginId, request.key), answerEmpty);
      }),
  };
}
