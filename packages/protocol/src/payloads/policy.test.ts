import { describe, expect, it } from 'vitest';
import { PERMISSION_TYPES, STORAGE_QUOTA } from '../permissions.js';
import { parsePolicy } from './all.js';
import { policyPayload } from './policy.js';

const storageRule = (quota: unknown) => ({
  plugins: { 'acme.x': { permissions: { plugin_storage: { include: ['all'], quota_bytes: quota } } } },
});

describe('Policy', () => {
  it('parses the PROTOCOL.md example and fills rule defaults', () => {
    const result = parsePolicy({
      plugins: {
        'acme.word-count': {
          permissions: {
            read_files: { include: ['Daily', 'README.md'], exclude: ['Daily/private'] },
            http_requests: { include: ['api.example.com'] },
            plugin_storage: { include: ['all'], quota_bytes: 1048576 },
          },
          config: {},
        },
      },
    });
    if (!result.ok) throw result.error;
    expect(result.warnings).toEqual([]);
    expect(result.value.plugins['acme.word-count']).toEqual({
      permissions: {
        read_files: { include: ['Daily', 'README.md'], exclude: ['Daily/private'] },
        http_requests: { include: ['api.example.com'], exclude: [] },
        plugin_storage: { include: ['all'], exclude: [], quota_bytes: 1048576 },
      },
      config: {},
    });
  });

  it('defaults to no plugins and a plugin to no permissions', () => {
    expect(parsePolicy({})).toEqual({ ok: true, value: { plugins: {} }, warnings: [] });
    expect(parsePolicy({ plugins: { 'a.b': {} } })).toMatchObject({
      ok: true,
      value: { plugins: { 'a.b': { permissions: {} } } },
    });
  });

  it('knows the nine permission types, namespaces included', () => {
    expect(PERMISSION_TYPES).toHaveLength(9);
    expect(PERMISSION_TYPES).toContain('namespaces');
  });

  it('ignores an unknown permission type with a warning at [plugins, id, permissions, type]', () => {
    const result = policyPayload.parse({
      plugins: { 'acme.x': { permissions: { read_file: { include: ['all'] }, edit_files: {} } } },
    });
    if (!result.ok) throw result.error;
    expect(result.value.plugins['acme.x']?.permissions).toEqual({ edit_files: { include: [], exclude: [] } });
    expect(result.warnings).toEqual([
      {
        path: ['plugins', 'acme.x', 'permissions', 'read_file'],
        message: expect.stringContaining('unknown permission type "read_file"'),
      },
    ]);
    expect(result.warnings[0]?.message).toContain('read_files');
  });

  it.each([0, 1, STORAGE_QUOTA.defaultBytes, STORAGE_QUOTA.maxBytes])('accepts quota_bytes %d', (quota) => {
    const result = parsePolicy(storageRule(quota));
    expect(result.ok && result.value.plugins['acme.x']?.permissions.plugin_storage?.quota_bytes).toBe(quota);
  });

  it.each([
    [-1, /quota_bytes must be 0 \(unlimited\) or a positive number of bytes/],
    [STORAGE_QUOTA.maxBytes + 1, /quota_bytes may be at most 1073741824 \(1 GiB\)/],
    [1.5, /expected int, got number 1.5/],
    ['1024', /expected number, got a string/],
  ])('rejects quota_bytes %s with a message', (quota, message) => {
    const result = parsePolicy(storageRule(quota));
    if (result.ok) throw new Error('expected a rejection');
    expect(result.error.code).toBe('invalid_payload');
    expect(result.error.path).toEqual(['plugins', 'acme.x', 'permissions', 'plugin_storage', 'quota_bytes']);
    expect(result.error.message).toContain('at plugins["acme.x"].permissions.plugin_storage.quota_bytes:');
    expect(result.error.message).toMatch(message);
  });

  it('rejects a non-object config', () => {
    const result = parsePolicy({ plugins: { 'a.b': { config: [1] } } });
    expect(result.ok || result.error.path).toEqual(['plugins', 'a.b', 'config']);
  });
});
