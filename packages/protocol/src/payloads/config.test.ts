import { describe, expect, it } from 'vitest';
import { decodeConfigReconcile } from './all.js';
import { pluginConfigPayload } from './config.js';

describe('ConfigReconcile', () => {
  it('decodes an empty set_config output to {}', () => {
    expect(decodeConfigReconcile('')).toEqual({ ok: true, value: {}, warnings: [] });
  });

  it('decodes "{}" to {}', () => {
    expect(decodeConfigReconcile('{}')).toEqual({ ok: true, value: {}, warnings: [] });
  });

  it('decodes config, a permission request (reasons defaulted) and migrations', () => {
    const wire = {
      config: { folder: 'Daily', template: null },
      permission_request: { permissions: { http_requests: { include: ['api.example.com'] } } },
      migrations: [
        { legacy_key: 'dir', config_field: 'folder' },
        { legacy_key: 'tpl', config_field: 'template', reason: 'renamed' },
      ],
    };
    const result = decodeConfigReconcile(JSON.stringify(wire));
    expect(result).toEqual({
      ok: true,
      warnings: [],
      value: {
        ...wire,
        permission_request: {
          permissions: { http_requests: { include: ['api.example.com'], exclude: [] } },
          reasons: {},
        },
      },
    });
  });

  it.each([
    [
      'a migration without config_field',
      { migrations: [{ legacy_key: 'a' }] },
      ['migrations', 0, 'config_field'],
    ],
    [
      'a permission request without permissions',
      { permission_request: { reasons: {} } },
      ['permission_request', 'permissions'],
    ],
    [
      'a permission rule with a string include',
      { permission_request: { permissions: { read_files: { include: 'all' } } } },
      ['permission_request', 'permissions', 'read_files', 'include'],
    ],
  ])('rejects %s', (_title, value, path) => {
    const result = decodeConfigReconcile(JSON.stringify(value));
    if (result.ok) throw new Error('expected a rejection');
    expect(result.error.code).toBe('invalid_payload');
    expect(result.error.path).toEqual(path);
  });

  it('rejects whitespace-only and non-JSON output as invalid_json (only the empty string means {})', () => {
    for (const text of [' ', 'ok']) {
      const result = decodeConfigReconcile(text);
      expect(result.ok || result.error.code).toBe('invalid_json');
    }
  });
});

describe('PluginConfig', () => {
  it('accepts a JSON object and rejects other JSON', () => {
    expect(pluginConfigPayload.parse({ folder: 'Daily', n: [1, 2] })).toMatchObject({ ok: true });
    for (const value of [[], 'x', 1, null]) {
      const result = pluginConfigPayload.parse(value);
      expect(result.ok || result.error.code).toBe('invalid_payload');
    }
  });
});
