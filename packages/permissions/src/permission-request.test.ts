import { describe, expect, it } from 'vitest';
import { permissionRequest } from './permission-request.js';

const rule = (...include: string[]) => ({ include, exclude: [] });
const manifest = {
  id: 'acme.notes',
  version: '1.2.0',
  name: 'Notes',
  requested_permissions: {
    defaults: {
      read_files: rule('all'),
      http_requests: rule('api.example.com'),
      plugin_storage: rule('all'),
      namespaces: rule(),
    },
    reasons: { read_files: 'Count words.', plugin_storage: 'Remember the index.' },
  },
};

describe('permissionRequest', () => {
  it('lists each requested rule the policy lacks, in words, with its reason', () => {
    const policy = { plugins: { 'acme.notes': { permissions: { http_requests: rule('other.example') } } } };
    expect(permissionRequest(manifest, policy)).toEqual({
      pluginId: 'acme.notes',
      version: '1.2.0',
      name: 'Notes',
      permissions: { read_files: rule('all'), plugin_storage: rule('all'), namespaces: rule() },
      asks: [
        { permission: 'read_files', description: 'read any file', reason: 'Count words.' },
        {
          permission: 'plugin_storage',
          description: 'use plugin storage (1 MiB per value)',
          reason: 'Remember the index.',
        },
        // A rule that allows nothing has no phrase of its own; it is named as written.
        { permission: 'namespaces', description: 'namespaces on nothing' },
      ],
    });
  });

  it('is undefined when nothing is requested or everything requested is set', () => {
    expect(
      permissionRequest({ ...manifest, requested_permissions: undefined }, { plugins: {} }),
    ).toBeUndefined();
    const permissions = manifest.requested_permissions.defaults;
    expect(permissionRequest(manifest, { plugins: { 'acme.notes': { permissions } } })).toBeUndefined();
  });
});
