import { pluginPermissionsSchema } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { protocolExamplePolicy } from './__fixtures__/policies.js';
import { describePermissions, summarizePermissions, summarizePluginPolicy } from './summary.js';

const summarize = (permissions: unknown, hostDefaultBytes?: number) =>
  summarizePermissions(
    pluginPermissionsSchema.parse(permissions),
    hostDefaultBytes === undefined ? {} : { hostDefaultBytes },
  );

describe('summary', () => {
  it('reads like the issue asks', () => {
    expect(
      summarize({
        read_files: { include: ['Daily', 'README.md'] },
        http_requests: { include: ['api.example.com'] },
        plugin_storage: { include: ['all'] },
      }),
    ).toBe(
      'read files in Daily/ and README.md, make HTTP requests to api.example.com, use plugin storage (1 MiB per value)',
    );
  });

  it('summarizes the PROTOCOL.md policy, with its exclude', () => {
    expect(summarizePluginPolicy(protocolExamplePolicy, 'acme.word-count')).toBe(
      'read files in Daily/ and README.md (except Daily/private/), make HTTP requests to api.example.com, use plugin storage (1 MiB per value)',
    );
  });

  it.each([
    [{}, 'use plugin storage (1 MiB per value)'],
    [{ plugin_storage: { exclude: ['all'] } }, 'nothing that needs a permission'],
    [{ plugin_storage: { include: ['cache'] } }, 'nothing that needs a permission'],
    [{ plugin_storage: { include: ['all'], quota_bytes: 0 } }, 'use plugin storage (no size limit)'],
    [
      { edit_files: { include: ['all'], exclude: ['secrets'] }, plugin_storage: { exclude: ['all'] } },
      'edit any file (except secrets/)',
    ],
    [
      {
        read_files: { include: ['[Todo](/projects/todo.md)', 'projects'] },
        plugin_storage: { exclude: ['all'] },
      },
      'read files in projects/',
    ],
    [
      { create_files: { include: ['/'] }, plugin_storage: { exclude: ['all'] } },
      'create files in the whole workspace',
    ],
    [
      {
        delete_files: { include: [] },
        move_files: { include: ['a', 'b', 'c'] },
        plugin_storage: { exclude: ['all'] },
      },
      'move files in a/, b/ and c/',
    ],
    [
      { http_requests: { include: ['all'] }, plugin_storage: { exclude: ['all'] } },
      'make HTTP requests to any host',
    ],
    [
      { execute_commands: { include: ['diaryx.sync:Status'] }, plugin_storage: { exclude: ['all'] } },
      'run the plugin commands diaryx.sync:Status',
    ],
    [
      { namespaces: { include: ['all'] }, plugin_storage: { exclude: ['all'] } },
      'create and use any namespace',
    ],
    [{ namespaces: { include: ['ns1'] }, plugin_storage: { exclude: ['all'] } }, 'use the namespaces ns1/'],
    [
      { read_files: { include: ['Daily'], exclude: ['all'] }, plugin_storage: { exclude: ['all'] } },
      'nothing that needs a permission',
    ],
  ])('%j → %s', (permissions, text) => expect(summarize(permissions)).toBe(text));

  it('uses the host default quota', () => {
    expect(summarize({}, 524288)).toBe('use plugin storage (512 KiB per value)');
    expect(describePermissions(pluginPermissionsSchema.parse({ read_files: { include: ['all'] } }))).toEqual([
      'read any file',
      'use plugin storage (1 MiB per value)',
    ]);
  });
});
