import { describe, expect, it } from 'vitest';
import { CompiledPolicy } from './compiled-policy.js';
import { fitsQuota, formatBytes, quotaOfRule, resolveStorageQuota } from './quota.js';

const policy = {
  plugins: {
    'a.big': { permissions: { plugin_storage: { include: ['all'], exclude: [], quota_bytes: 1073741824 } } },
    'a.free': { permissions: { plugin_storage: { include: ['all'], exclude: [], quota_bytes: 0 } } },
    'a.plain': { permissions: { plugin_storage: { include: ['all'], exclude: [] } } },
  },
};

describe('resolveStorageQuota', () => {
  it.each([
    ['a.big', undefined, { bytes: 1073741824, source: 'policy' }],
    ['a.free', 4096, { bytes: 0, source: 'policy' }],
    ['a.plain', undefined, { bytes: 1048576, source: 'protocol' }],
    ['a.plain', 4096, { bytes: 4096, source: 'host' }],
    ['a.none', 0, { bytes: 0, source: 'host' }],
  ])('%s (host default %j) → %j', (pluginId, hostDefaultBytes, expected) => {
    const options = { pluginId, ...(hostDefaultBytes === undefined ? {} : { hostDefaultBytes }) };
    expect(resolveStorageQuota({ ...options, policy })).toEqual(expected);
    expect(resolveStorageQuota({ ...options, policy: CompiledPolicy.compile(policy) })).toEqual(expected);
  });

  it('defaults to 1 MiB without a policy', () => {
    expect(resolveStorageQuota({ pluginId: 'a.b' })).toEqual({ bytes: 1048576, source: 'protocol' });
  });

  it.each([-1, 1.5, 1073741825, Number.NaN])('refuses a host default of %d', (bytes) => {
    expect(() => resolveStorageQuota({ pluginId: 'a.b', hostDefaultBytes: bytes })).toThrow(
      expect.objectContaining({
        code: 'invalid_options',
        message: `resolveStorageQuota: option \`hostDefaultBytes\` must be a whole number from 0 (unlimited) to 1073741824 (1 GiB) (got ${bytes})`,
      }),
    );
    expect(() => quotaOfRule(undefined, bytes)).toThrow(/^quotaOfRule: option `hostDefaultBytes` must be/);
  });

  it('refuses a policy quota above 1 GiB when the policy is validated', () => {
    expect(() =>
      CompiledPolicy.compile({
        plugins: { 'a.b': { permissions: { plugin_storage: { quota_bytes: 1073741825 } } } },
      }),
    ).toThrow(
      'plugin \'a.b\', plugin_storage: at plugins["a.b"].permissions.plugin_storage.quota_bytes: quota_bytes may be at most 1073741824 (1 GiB)',
    );
  });
});

describe('fitsQuota and formatBytes', () => {
  it.each([
    [1048576, 1048576, true],
    [1048576, 1048577, false],
    [0, 5e9, true],
  ])('quota %d, size %d → %s', (quota, size, expected) => {
    expect(fitsQuota(quota, size)).toBe(expected);
    expect(fitsQuota({ bytes: quota, source: 'policy' }, size)).toBe(expected);
  });

  it.each([
    [0, 'unlimited'],
    [1, '1 byte'],
    [100, '100 bytes'],
    [1024, '1 KiB'],
    [1048576, '1 MiB'],
    [1572864, '1536 KiB'],
    [1073741824, '1 GiB'],
  ])('%d → %s', (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});
