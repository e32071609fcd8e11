import { requestedPermissionsSchema, type Policy } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { applyInstallDefaults } from './install-defaults.js';

const requested = requestedPermissionsSchema.parse({
  defaults: {
    read_files: { include: ['all'] },
    http_requests: { include: ['api.example.com'] },
    plugin_storage: { include: ['all'], quota_bytes: 2097152 },
  },
  reasons: { read_files: 'to count words', http_requests: 'to sync counts' },
});

describe('applyInstallDefaults', () => {
  it('fills a plugin with no entry', () => {
    const policy: Policy = { plugins: {} };
    const result = applyInstallDefaults(policy, 'acme.wc', requested);
    expect(result.added).toEqual(['read_files', 'http_requests', 'plugin_storage']);
    expect(result.kept).toEqual([]);
    expect(result.reasons).toEqual({ read_files: 'to count words', http_requests: 'to sync counts' });
    expect(result.policy.plugins['acme.wc']?.permissions.read_files).toEqual({
      include: ['all'],
      exclude: [],
    });
    expect(policy).toEqual({ plugins: {} });
  });

  it('never widens a rule the user set, and keeps config and other plugins', () => {
    const policy: Policy = {
      plugins: {
        'acme.wc': {
          permissions: { read_files: { include: ['Daily'], exclude: [] } },
          config: { lang: 'en' },
        },
        'acme.other': { permissions: {} },
      },
    };
    const result = applyInstallDefaults(policy, 'acme.wc', requested);
    expect(result.kept).toEqual(['read_files']);
    expect(result.added).toEqual(['http_requests', 'plugin_storage']);
    expect(result.reasons).toEqual({ http_requests: 'to sync counts' });
    const entry = result.policy.plugins['acme.wc'];
    expect(entry?.permissions.read_files).toEqual({ include: ['Daily'], exclude: [] });
    expect(entry?.config).toEqual({ lang: 'en' });
    expect(result.policy.plugins['acme.other']).toBe(policy.plugins['acme.other']);
  });

  it('keeps an explicit empty rule (a user "no")', () => {
    const policy: Policy = {
      plugins: { 'acme.wc': { permissions: { http_requests: { include: [], exclude: [] } } } },
    };
    const result = applyInstallDefaults(policy, 'acme.wc', requested);
    expect(result.policy.plugins['acme.wc']?.permissions.http_requests).toEqual({ include: [], exclude: [] });
  });

  it('returns the same policy when nothing is added', () => {
    const policy: Policy = { plugins: {} };
    expect(applyInstallDefaults(policy, 'acme.wc', undefined).policy).toBe(policy);
    expect(applyInstallDefaults(policy, 'acme.wc', requestedPermissionsSchema.parse({})).policy).toBe(policy);
  });

  it('does not alias the manifest arrays', () => {
    const result = applyInstallDefaults({ plugins: {} }, 'acme.wc', requested);
    result.policy.plugins['acme.wc']?.permissions.read_files?.include.push('x');
    expect(requested.defaults.read_files?.include).toEqual(['all']);
  });
});
