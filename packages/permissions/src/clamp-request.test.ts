import { permissionRequestSchema, pluginPermissionsSchema } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { clampPermissionRequest } from './clamp-request.js';

const ceiling = pluginPermissionsSchema.parse({
  read_files: { include: ['Daily', 'README.md'], exclude: ['Daily/private'] },
  http_requests: { include: ['example.com'] },
  execute_commands: { include: ['diaryx.sync:Status'] },
  plugin_storage: { include: ['all'], quota_bytes: 1048576 },
  namespaces: { include: ['all'] },
});

const request = (permissions: unknown, reasons: Record<string, string> = {}) =>
  permissionRequestSchema.parse({ permissions, reasons });

describe('clampPermissionRequest', () => {
  it('keeps what the ceiling covers and carries the ceiling excludes', () => {
    const result = clampPermissionRequest(
      request(
        { read_files: { include: ['Daily/2026', '[R](/README.md)'] } },
        { read_files: 'to read notes' },
      ),
      ceiling,
    );
    expect(result.request).toEqual({
      permissions: { read_files: { include: ['Daily/2026', '[R](/README.md)'], exclude: ['Daily/private'] } },
      reasons: { read_files: 'to read notes' },
    });
    expect(result.dropped).toEqual([]);
    expect(result.clamped).toBe(true);
  });

  it.each([
    ['read_files', 'all', 'asks for "all", which the manifest does not'],
    ['read_files', 'Other', 'grants "Other", beyond the manifest\'s defaults'],
    ['read_files', 'README.md/../x', 'contains a ".." segment'],
    ['read_files', 'Daily2', 'grants "Daily2", beyond the manifest\'s defaults'],
    ['read_files', '/', "grants the workspace root, beyond the manifest's defaults"],
    ['http_requests', 'notexample.com', 'grants "notexample.com", beyond the manifest\'s defaults'],
    ['http_requests', 'com', 'grants "com", beyond the manifest\'s defaults'],
    ['execute_commands', 'diaryx.sync:Sync', 'grants "diaryx.sync:Sync", beyond the manifest\'s defaults'],
    ['edit_files', 'Daily', 'the manifest requests no edit_files'],
  ])('drops %s %j: %s', (type, scope, why) => {
    const result = clampPermissionRequest(request({ [type]: { include: [scope] } }), ceiling);
    expect(result.dropped).toEqual([{ permission: type, scope, why }]);
    expect(result.clamped).toBe(true);
  });

  it('checks the parent folder a nested file pattern grants', () => {
    const narrow = pluginPermissionsSchema.parse({ read_files: { include: ['Daily/notes.md'] } });
    const result = clampPermissionRequest(
      request({ read_files: { include: ['Daily/notes.md', 'Daily/sub/x.md'] } }),
      narrow,
    );
    // `Daily/notes.md` grants Daily/; so does the ceiling's own scope, so both fit.
    expect(result.request.permissions.read_files?.include).toEqual(['Daily/notes.md', 'Daily/sub/x.md']);
    const folder = pluginPermissionsSchema.parse({ read_files: { include: ['Daily/sub'] } });
    expect(
      clampPermissionRequest(request({ read_files: { include: ['Daily/sub/x.md', 'Daily/y.md'] } }), folder)
        .dropped,
    ).toEqual([
      {
        permission: 'read_files',
        scope: 'Daily/y.md',
        why: 'grants "Daily/y.md", beyond the manifest\'s defaults',
      },
    ]);
  });

  it('keeps subdomains of a ceiling host and anything under an `all` ceiling', () => {
    const result = clampPermissionRequest(
      request({ http_requests: { include: ['api.example.com'] }, namespaces: { include: ['all', 'ns1'] } }),
      ceiling,
    );
    expect(result.dropped).toEqual([]);
    expect(result.clamped).toBe(false);
  });

  it.each([
    [undefined, 4096, 4096],
    [undefined, 0, 1048576],
    [undefined, 1073741824, 1048576],
    [0, 1073741824, 1073741824],
  ])('clamps quota (ceiling %j, requested %j) to %j', (cap, wanted, expected) => {
    const storageCeiling = pluginPermissionsSchema.parse({
      plugin_storage: { include: ['all'], ...(cap === undefined ? {} : { quota_bytes: cap }) },
    });
    const result = clampPermissionRequest(
      request({ plugin_storage: { include: ['all'], quota_bytes: wanted } }),
      storageCeiling,
    );
    expect(result.request.permissions.plugin_storage?.quota_bytes).toBe(expected);
  });

  it('drops everything when there is no ceiling', () => {
    const result = clampPermissionRequest(request({ read_files: { include: ['a'] } }), undefined);
    expect(result.request.permissions).toEqual({});
    expect(result.dropped).toHaveLength(1);
  });
});
