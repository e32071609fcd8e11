import type { PermissionType } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { fullPolicy, protocolExamplePolicy } from './__fixtures__/policies.js';
import { CompiledPolicy } from './compiled-policy.js';
import { normalizeTarget } from './normalize-target.js';

type Row = [
  pluginId: string,
  type: PermissionType,
  target: string,
  outcome: string,
  reason: string,
  scope?: string,
];

function resolve(policy: CompiledPolicy, pluginId: string, type: PermissionType, target: string) {
  const normalized = normalizeTarget(type, target);
  if (!normalized.ok) throw new Error(`fixture target ${target} ${normalized.problem}`);
  return policy.resolve(pluginId, type, normalized.value);
}

const expectRow = (policy: CompiledPolicy, [pluginId, type, target, outcome, reason, scope]: Row) => {
  const resolution = resolve(policy, pluginId, type, target);
  expect({ outcome: resolution.outcome, reason: resolution.reason, scope: resolution.rule?.scope }).toEqual({
    outcome,
    reason,
    scope,
  });
};

describe('PROTOCOL.md §5 example policy', () => {
  const policy = CompiledPolicy.compile(protocolExamplePolicy);
  const id = 'acme.word-count';
  it.each<Row>([
    [id, 'read_files', 'Daily/2026-03-02.md', 'allowed', 'matched_include', 'Daily'],
    [id, 'read_files', 'Daily', 'allowed', 'matched_include', 'Daily'],
    [id, 'read_files', 'README.md', 'allowed', 'matched_include', 'README.md'],
    [id, 'read_files', 'Daily/private/diary.md', 'denied', 'matched_exclude', 'Daily/private'],
    [id, 'read_files', 'Daily/private', 'denied', 'matched_exclude', 'Daily/private'],
    [id, 'read_files', 'Daily/privateer.md', 'allowed', 'matched_include', 'Daily'],
    [id, 'read_files', 'Dailyish.md', 'not_configured', 'no_matching_scope'],
    [id, 'read_files', 'other.md', 'not_configured', 'no_matching_scope'],
    [id, 'read_files', 'README.md/x', 'allowed', 'matched_include', 'README.md'],
    [id, 'http_requests', 'https://api.example.com/v1', 'allowed', 'matched_include', 'api.example.com'],
    [id, 'http_requests', 'https://eu.api.example.com/v1', 'allowed', 'matched_include', 'api.example.com'],
    [id, 'http_requests', 'https://example.com/', 'not_configured', 'no_matching_scope'],
    [id, 'http_requests', 'https://notapi.example.com/', 'not_configured', 'no_matching_scope'],
    [id, 'plugin_storage', 'any-key', 'allowed', 'matched_include', 'all'],
    [id, 'edit_files', 'Daily/x.md', 'not_configured', 'no_rule'],
    ['acme.other', 'read_files', 'README.md', 'not_configured', 'no_plugin_entry'],
    ['acme.other', 'plugin_storage', 'k', 'allowed', 'storage_default', 'all'],
  ])('%s %s %j → %s (%s)', (...row) => expectRow(policy, row));
});

describe('resolution rules', () => {
  const policy = CompiledPolicy.compile(fullPolicy);
  const id = 'acme.notes';
  it.each<Row>([
    // Markdown-link scopes and the parent-folder rule for nested file patterns.
    [id, 'read_files', 'projects/todo.md', 'allowed', 'matched_include', '[Todo](/projects/todo.md)'],
    [id, 'read_files', 'projects/other.md', 'allowed', 'matched_include', '[Todo](/projects/todo.md)'],
    [id, 'read_files', 'projects/sub/deep.md', 'allowed', 'matched_include', '[Todo](/projects/todo.md)'],
    [id, 'read_files', 'projectsx/a.md', 'not_configured', 'no_matching_scope'],
    // A root-level file pattern matches only itself.
    [id, 'read_files', 'LICENSE.md', 'not_configured', 'no_matching_scope'],
    // A folder pattern never grants its parent.
    [id, 'read_files', 'Daily/private2/x.md', 'allowed', 'matched_include', 'Daily'],
    // Excludes are compared case-folded, without trailing dots and spaces (Windows, macOS).
    [id, 'read_files', 'Daily/PRIVATE/x.md', 'denied', 'matched_exclude', 'Daily/private'],
    [id, 'read_files', 'daily/private./x.md', 'denied', 'matched_exclude', 'Daily/private'],
    [id, 'read_files', 'Daily/private /x.md', 'denied', 'matched_exclude', 'Daily/private'],
    // ...but includes are not: folding never widens.
    [id, 'read_files', 'daily/x.md', 'not_configured', 'no_matching_scope'],
    // `all`, and exclude beating `all`.
    [id, 'edit_files', 'anything/at/all.md', 'allowed', 'matched_include', 'all'],
    [id, 'edit_files', '', 'allowed', 'matched_include', 'all'],
    [id, 'edit_files', 'secrets/key.txt', 'denied', 'matched_exclude', 'secrets'],
    [id, 'move_files', 'a.md', 'denied', 'matched_exclude', 'all'],
    [id, 'create_files', 'Inbox/new.md', 'allowed', 'matched_include', 'Inbox'],
    [id, 'create_files', '', 'not_configured', 'no_matching_scope'],
    [id, 'delete_files', 'a.md', 'not_configured', 'no_matching_scope'],
    // Hosts: exact or subdomain, case and trailing dot ignored, excludes first.
    [id, 'http_requests', 'https://example.com', 'allowed', 'matched_include', 'example.com'],
    [id, 'http_requests', 'https://a.b.example.com:444/', 'allowed', 'matched_include', 'example.com'],
    [id, 'http_requests', 'https://admin.example.com', 'denied', 'matched_exclude', 'admin.example.com'],
    [id, 'http_requests', 'https://x.admin.example.com', 'denied', 'matched_exclude', 'admin.example.com'],
    [id, 'http_requests', 'https://notexample.com', 'not_configured', 'no_matching_scope'],
    [id, 'http_requests', 'https://example.com.evil.net', 'not_configured', 'no_matching_scope'],
    [id, 'http_requests', 'https://api.other.org./x', 'allowed', 'matched_include', 'API.Other.org.'],
    [id, 'http_requests', 'https://other.org', 'not_configured', 'no_matching_scope'],
    // Commands: exact `<plugin>:<command>` only.
    [id, 'execute_commands', 'diaryx.sync:Status', 'allowed', 'matched_include', 'diaryx.sync:Status'],
    [id, 'execute_commands', 'diaryx.sync:status', 'not_configured', 'no_matching_scope'],
    [id, 'execute_commands', 'diaryx.sync:Sync', 'not_configured', 'no_matching_scope'],
    [id, 'execute_commands', 'acme.x:Run', 'not_configured', 'no_matching_scope'],
    // Storage: only `all` counts.
    [id, 'plugin_storage', 'cache', 'not_configured', 'no_matching_scope'],
    ['acme.locked', 'plugin_storage', 'k', 'denied', 'matched_exclude', 'all'],
    ['acme.empty', 'plugin_storage', 'k', 'allowed', 'storage_default', 'all'],
    ['acme.empty', 'read_files', 'a.md', 'not_configured', 'no_rule'],
    // Namespaces: `<ns_id>/<key>` prefixes; "*" only by `all`.
    [id, 'namespaces', 'ns1/posts/a.html', 'allowed', 'matched_include', 'ns1'],
    [id, 'namespaces', 'ns1', 'allowed', 'matched_include', 'ns1'],
    [id, 'namespaces', 'ns1/private/a', 'denied', 'matched_exclude', 'ns1/private'],
    [id, 'namespaces', 'ns2/public/a', 'allowed', 'matched_include', 'ns2/public'],
    [id, 'namespaces', 'ns2/secret', 'not_configured', 'no_matching_scope'],
    [id, 'namespaces', 'ns10/a', 'not_configured', 'no_matching_scope'],
    [id, 'namespaces', '*', 'not_configured', 'no_matching_scope'],
  ])('%s %s %j → %s (%s)', (...row) => expectRow(policy, row));

  it('grants namespace-wide operations only through `all`', () => {
    const wide = CompiledPolicy.compile({
      plugins: { 'a.b': { permissions: { namespaces: { include: ['*', 'ALL'] } } } },
    });
    expect(wide.resolve('a.b', 'namespaces', '*')).toMatchObject({
      outcome: 'allowed',
      rule: { scope: 'ALL' },
    });
    const star = CompiledPolicy.compile({
      plugins: { 'a.b': { permissions: { namespaces: { include: ['*'] } } } },
    });
    expect(star.resolve('a.b', 'namespaces', '*').outcome).toBe('not_configured');
  });

  it('matches IP hosts only exactly', () => {
    const ips = CompiledPolicy.compile({
      plugins: { 'a.b': { permissions: { http_requests: { include: ['0.0.1', '10.0.0.1'] } } } },
    });
    expect(resolve(ips, 'a.b', 'http_requests', 'http://127.0.0.1/').outcome).toBe('not_configured');
    expect(resolve(ips, 'a.b', 'http_requests', 'http://10.0.0.1:8080/').outcome).toBe('allowed');
    expect(resolve(ips, 'a.b', 'http_requests', 'http://167772161/').outcome).toBe('allowed');
  });

  it('reads `all` in any case and trims scopes', () => {
    const policy = CompiledPolicy.compile({
      plugins: { 'a.b': { permissions: { read_files: { include: ['  ALL '] } } } },
    });
    expect(policy.resolve('a.b', 'read_files', 'x/y.md')).toMatchObject({
      outcome: 'allowed',
      rule: { scope: '  ALL ' },
    });
  });

  it('reads markdown links with titles, angle brackets and escapes', () => {
    const policy = CompiledPolicy.compile({
      plugins: {
        'a.b': {
          permissions: {
            read_files: {
              include: [
                '[A](/a/one.md "Title")',
                '[B](<b folder/two.md>)',
                '[C](c%20d/three.md)',
                '[Root](/root.md)',
              ],
            },
          },
        },
      },
    });
    for (const target of ['a/x.md', 'b folder/x.md', 'c d/x.md', 'root.md']) {
      expect(policy.resolve('a.b', 'read_files', target).outcome).toBe('allowed');
    }
    expect(policy.resolve('a.b', 'read_files', 'other.md').outcome).toBe('not_configured');
  });

  it('a workspace-root scope ("/") matches every path', () => {
    const policy = CompiledPolicy.compile({
      plugins: { 'a.b': { permissions: { read_files: { include: ['/'] } } } },
    });
    expect(policy.resolve('a.b', 'read_files', 'x/y.md').outcome).toBe('allowed');
    expect(policy.resolve('a.b', 'read_files', '').outcome).toBe('allowed');
  });
});

describe('compile warnings', () => {
  it('reports unknown types and scopes that can match nothing, with their paths', () => {
    const policy = CompiledPolicy.compile({
      plugins: {
        'a.b': {
          permissions: {
            read_file: { include: ['all'] },
            read_files: { include: ['../x', ''], exclude: ['C:\\x'] },
            http_requests: { include: ['x.com/v1', '*.y.com'], exclude: ['z.com/admin'] },
            plugin_storage: { include: ['cache'] },
            edit_files: { include: ['a'], quota_bytes: 5 },
          },
        },
      },
    });
    expect(policy.warnings.map((w) => [w.path.join('.'), w.message])).toEqual([
      [
        'plugins.a.b.permissions.read_file',
        expect.stringContaining('unknown permission type "read_file" ignored'),
      ],
      [
        'plugins.a.b.permissions.read_files.include.0',
        'include scope "../x" contains a ".." segment; ignored',
      ],
      ['plugins.a.b.permissions.read_files.include.1', 'include scope "" is empty; ignored'],
      [
        'plugins.a.b.permissions.read_files.exclude.0',
        'exclude scope "C:\\x" is a drive-letter path; only workspace-relative paths are allowed; ignored',
      ],
      [
        'plugins.a.b.permissions.edit_files.quota_bytes',
        'quota_bytes has no effect on edit_files; it applies to plugin_storage only',
      ],
      [
        'plugins.a.b.permissions.http_requests.include.0',
        'include scope "x.com/v1" has a path; scopes are host names, so it grants nothing',
      ],
      [
        'plugins.a.b.permissions.http_requests.include.1',
        'include scope "*.y.com" contains a wildcard; a host pattern already matches all its subdomains; ignored',
      ],
      [
        'plugins.a.b.permissions.http_requests.exclude.0',
        'exclude scope "z.com/admin" has a path; the whole host z.com is excluded',
      ],
      [
        'plugins.a.b.permissions.plugin_storage.include.0',
        'include scope "cache" has no effect: plugin_storage rules only read "all"; ignored',
      ],
    ]);
    expect(policy.resolve('a.b', 'http_requests', 'x.com').outcome).toBe('not_configured');
    expect(policy.resolve('a.b', 'http_requests', 'z.com').outcome).toBe('denied');
  });

  it('returns the same compiled policy when given one', () => {
    const policy = CompiledPolicy.compile(fullPolicy);
    expect(CompiledPolicy.compile(policy)).toBe(policy);
    expect(policy.rule('acme.notes', 'create_files')).toEqual({ include: ['Inbox'], exclude: [] });
    expect(policy.hasPlugin('acme.empty')).toBe(true);
  });
});

describe('a policy with a trust section', () => {
  it('compiles to the same decisions as without it, and keeps the section for the host', () => {
    const trust = {
      keys: [
        { name: 'acme', public_key: 'WK/07HM44crxEf1hRFNgOUwY2QeGyxHSx9x8oaIAj34=', plugins: ['acme.*'] },
      ],
      require_signature: true,
      plugins: { 'acme.word-count': { require_signature: false } },
    };
    const plain = CompiledPolicy.compile(protocolExamplePolicy);
    const trusting = CompiledPolicy.compile({ ...protocolExamplePolicy, trust });
    expect(trusting.policy.trust).toEqual(trust);
    expect(trusting.policy.plugins).toEqual(plain.policy.plugins);
    for (const target of ['Daily/a.md', 'Daily/private/b.md', 'Other/c.md']) {
      expect(resolve(trusting, 'acme.word-count', 'read_files', target)).toEqual(
        resolve(plain, 'acme.word-count', 'read_files', target),
      );
    }
  });

  it('refuses a bad trust section as an invalid policy naming the field', () => {
    expect(() =>
      CompiledPolicy.compile({
        ...protocolExamplePolicy,
        trust: { keys: [{ name: 'x', public_key: 'abc' }] },
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'invalid_policy',
        message: expect.stringContaining('trust.keys[0].public_key'),
      }),
    );
  });
});
