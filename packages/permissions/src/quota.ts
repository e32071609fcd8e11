import {
  checkOptions,
  defineOptions,
  STORAGE_QUOTA,
  type PermissionRule,
  type Policy,
} from '@plinth/protocol';
import { z } from 'zod';
import { CompiledPolicy } from './compiled-policy.js';

/** The most bytes one stored value may have; `bytes: 0` means unlimited. */
export interface StorageQuota {
  bytes: number;
  /** Where the figure came from: the policy's `plugin_storage.quota_bytes`, the host's default, or the protocol's. */
  source: 'policy' | 'host' | 'protocol';
}

/** Input of `resolveStorageQuota`: the plugin, its policy, and the host's default. */
export interface StorageQuotaOptions {
  pluginId: string;
  policy?: Policy | CompiledPolicy;
  /** The host's default for plugins whose policy sets none: 0 (unlimited) to 1 GiB. Default 1 MiB. */
  hostDefaultBytes?: number;
}

const isValidQuota = (bytes: number): boolean =>
  Number.isInteger(bytes) && bytes >= 0 && bytes <= STORAGE_QUOTA.maxBytes;

const hostDefaultSchema = defineOptions<{ hostDefaultBytes?: number }>()(
  z.strictObject({
    hostDefaultBytes: z
      .int()
      .min(0)
      .max(STORAGE_QUOTA.maxBytes)
      .describe(`a whole number from 0 (unlimited) to ${STORAGE_QUOTA.maxBytes} (1 GiB)`)
      .optional(),
  }),
);

/** These run on every storage write: the schema builds the error only once the cheap test has failed. */
function checkHostDefault(caller: string, hostDefaultBytes: number | undefined): void {
  if (hostDefaultBytes !== undefined && !isValidQuota(hostDefaultBytes)) {
    checkOptions(caller, hostDefaultSchema, { hostDefaultBytes });
  }
}

/** Resolves a plugin's storage quota: the policy's override, else the host default, else 1 MiB. */
export function resolveStorageQuota(options: StorageQuotaOptions): StorageQuota {
  const { pluginId, policy, hostDefaultBytes } = options;
  checkHostDefault('resolveStorageQuota', hostDefaultBytes);
  const rule =
    policy instanceof CompiledPolicy
      ? policy.rule(pluginId, 'plugin_storage')
      : policy?.plugins[pluginId]?.permissions.plugin_storage;
  return quotaOfRule(rule, hostDefaultBytes);
}

/** The quota a `plugin_storage` rule (or its absence) gives, under a host default. */
export function quotaOfRule(rule: PermissionRule | undefined, hostDefaultBytes?: number): StorageQuota {
  const fromPolicy = rule?.quota_bytes;
  if (fromPolicy !== undefined && isValidQuota(fromPolicy)) return { bytes: fromPolicy, source: 'policy' };
  if (hostDefaultBytes !== undefined) {
    checkHostDefault('quotaOfRule', hostDefaultBytes);
    return { bytes: hostDefaultBytes, source: 'host' };
  }
  return { bytes: STORAGE_QUOTA.defaultBytes, source: 'protocol' };
}

/** Whether a value of `sizeBytes` may be stored under the quota. */
export const fitsQuota = (quota: StorageQuota | number, sizeBytes: number): boolean => {
  const bytes = typeof quota === 'number' ? quota : quota.bytes;
  return bytes === STORAGE_QUOTA.unlimited || sizeBytes <= bytes;
};

/** `1 MiB`, `512 KiB`, `1 GiB`, `100 bytes`; `0` is `unlimited`. */
export function formatBytes(bytes: number): string {
  if (bytes === 0) return 'unlimited';
  for (const [unit, size] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return bytes === 1 ? '1 byte' : `${bytes} bytes`;
}
