import { getHostFunction, type ParseResult, type PermissionType } from '@plinth/protocol';
import { describe, expect, it, vi } from 'vitest';
import { fullPolicy, protocolExamplePolicy } from '../__fixtures__/policies.js';
import { createMemoryAuditSink } from '../audit.js';
import type { CheckRequest } from '../checker.js';
import { PolicyStore } from '../policy-source.js';
import { createAllowAllChecker } from './allow-all.js';
import { createDenyAllChecker } from './deny-all.js';
import { createPolicyChecker } from './policy-checker.js';

const id = 'acme.word-count';
const read = (target: string, extra: Partial<CheckRequest> = {}): CheckRequest => ({
  pluginId: id,
  type: 'read_files',
  target,
  ...extra,
});

describe('policy checker', () => {
  it('carries what asked (via) into the decision and the audit record', () => {
    const audit = createMemoryAuditSink();
    const checker = createPolicyChecker({ policy: protocolExamplePolicy, audit });
    expect(checker.check(read('Private/x.md', { via: 'host_read_file' }))).toMatchObject({
      allowed: false,
      via: 'host_read_file',
    });
    expect(audit.decisions.at(-1)).toMatchObject({ target: 'Private/x.md', via: 'host_read_file' });
    expect(checker.check(read('Private/x.md'))).not.toHaveProperty('via');
    expect(createDenyAllChecker().check(read('x.md', { via: 'host_list_files' }))).toMatchObject({
      via: 'host_list_files',
    });
  });

  it('returns complete decisions with the PROTOCOL.md messages', () => {
    const checker = createPolicyChecker({ policy: protocolExamplePolicy });
    expect(checker.check(read('Daily/x.md'))).toEqual({
      allowed: true,
      outcome: 'allowed',
      permission: 'read_files',
      pluginId: id,
      target: 'Daily/x.md',
      normalizedTarget: 'Daily/x.md',
      rule: { kind: 'include', scope: 'Daily' },
      reason: 'matched_include',
      message: '',
    });
    expect(checker.check(read('./Daily/private/a.md'))).toEqual({
      allowed: false,
      outcome: 'denied',
      permission: 'read_files',
      pluginId: id,
      target: './Daily/private/a.md',
      normalizedTarget: 'Daily/private/a.md',
      rule: { kind: 'exclude', scope: 'Daily/private' },
      reason: 'matched_exclude',
      message: "Permission denied for plugin 'acme.word-count': read_files on './Daily/private/a.md'",
    });
    expect(checker.check({ pluginId: id, type: 'edit_files', target: 'a.md' })).toMatchObject({
      allowed: false,
      outcome: 'not_configured',
      reason: 'no_rule',
      message:
        "Permission not configured for plugin 'acme.word-count': edit_files on 'a.md'. Add plugins.acme.word-count.permissions.edit_files to the policy.",
    });
  });

  it.each([
    ['../README.md', 'target contains a ".." segment'],
    ['Daily/%2e%2e/README.md', 'target contains a percent-encoded ".." segment'],
    ['Daily\\..\\README.md', 'target contains a ".." segment'],
    ['README.md\0', 'target contains a NUL byte'],
    ['/etc/passwd', 'target is an absolute path outside the workspace root'],
  ])('denies %j outright, even under `all`', (target, detail) => {
    const all = { plugins: { [id]: { permissions: { read_files: { include: ['all'] } } } } };
    for (const checker of [createPolicyChecker({ policy: all }), createAllowAllChecker()]) {
      const decision = checker.check(read(target, { workspaceRoot: '/home/u/ws' }));
      expect(decision).toMatchObject({
        allowed: false,
        outcome: 'denied',
        reason: 'invalid_target',
        normalizedTarget: null,
        detail,
      });
      expect(decision.message).toBe(
        `Permission denied for plugin '${id}': read_files on '${target.replace('\0', '\\u0000')}'`,
      );
    }
  });

  it('makes absolute paths inside the workspace root relative', () => {
    const checker = createPolicyChecker({ policy: protocolExamplePolicy });
    expect(checker.check(read('/home/u/ws/Daily/a.md', { workspaceRoot: '/home/u/ws' }))).toMatchObject({
      allowed: true,
      normalizedTarget: 'Daily/a.md',
    });
  });

  it('sees a swapped policy on the next check (function source, cached by identity)', () => {
    let current: unknown = protocolExamplePolicy;
    const checker = createPolicyChecker({ policy: () => current });
    expect(checker.check(read('Daily/a.md')).allowed).toBe(true);
    current = { plugins: {} };
    expect(checker.check(read('Daily/a.md')).outcome).toBe('not_configured');
  });

  it('sees a PolicyStore change; a malformed document is refused and the old policy kept', () => {
    const store = new PolicyStore(protocolExamplePolicy);
    const checker = createPolicyChecker({ policy: store });
    expect(() =>
      store.set({ plugins: { [id]: { permissions: { read_files: { include: 'Daily' } } } } }),
    ).toThrow(
      `Invalid permission policy: plugin '${id}', read_files: at plugins["${id}"].permissions.read_files.include: expected array, got a string ("Daily")`,
    );
    expect(store.version).toBe(0);
    expect(checker.check(read('Daily/a.md')).allowed).toBe(true);
    store.set(fullPolicy);
    expect(store.version).toBe(1);
    expect(checker.check(read('Daily/a.md')).outcome).toBe('not_configured');
  });

  it('fails closed on a malformed policy and reports it once', () => {
    const onPolicyError = vi.fn();
    const bad = { plugins: { [id]: { permissions: { http_requests: { include: [42] } } } } };
    const checker = createPolicyChecker({ policy: () => bad, onPolicyError });
    const decision = checker.check({ pluginId: id, type: 'plugin_storage', target: 'k' });
    expect(decision).toMatchObject({ allowed: false, outcome: 'denied', reason: 'invalid_policy' });
    expect(decision.detail).toContain(`plugin '${id}', http_requests`);
    checker.check(read('a.md'));
    expect(onPolicyError).toHaveBeenCalledTimes(1);
    expect(onPolicyError.mock.calls[0]?.[0]).toMatchObject({
      code: 'invalid_policy',
      permission: 'http_requests',
    });
  });

  it('denies a target that is not a string instead of throwing', () => {
    const checker = createPolicyChecker({ policy: fullPolicy });
    expect(checker.check({ pluginId: id, type: 'read_files', target: undefined as never })).toMatchObject({
      allowed: false,
      reason: 'invalid_target',
      message: `Permission denied for plugin '${id}': read_files on 'undefined'`,
    });
  });

  it('denies an unknown permission type', () => {
    const checker = createPolicyChecker({ policy: fullPolicy });
    expect(checker.check({ pluginId: id, type: 'read_file' as never, target: 'a' })).toMatchObject({
      allowed: false,
      reason: 'unknown_permission',
    });
  });

  it('sends every decision to the audit sink, and survives a throwing sink', async () => {
    const audit = createMemoryAuditSink();
    const checker = createPolicyChecker({ policy: protocolExamplePolicy, audit });
    checker.check(read('Daily/a.md'));
    await checker.checkAsync(read('other.md'));
    expect(audit.decisions.map((d) => d.outcome)).toEqual(['allowed', 'not_configured']);
    const throwing = createPolicyChecker({
      policy: protocolExamplePolicy,
      audit: () => {
        throw new Error('disk full');
      },
    });
    expect(throwing.check(read('Daily/a.md')).allowed).toBe(true);
  });

  it('checks every catalogue target the way the host derives it', () => {
    const policy = {
      plugins: {
        'a.b': {
          permissions: {
            read_files: { include: ['all'] },
            http_requests: { include: ['example.com'] },
            execute_commands: { include: ['diaryx.sync:Status'] },
            namespaces: { include: ['ns1'] },
          },
        },
      },
    };
    const checker = createPolicyChecker({ policy });
    const check = (fn: string, request: unknown) => {
      const spec = getHostFunction(fn as string);
      if (spec === undefined || spec.permission === null) throw new Error(`${fn} checks no permission`);
      const decoded = spec.decodeRequest(JSON.stringify(request)) as ParseResult<unknown>;
      if (!decoded.ok) throw decoded.error;
      const permission = spec.permission as {
        types: readonly PermissionType[];
        target: (request: unknown) => string | null;
      };
      const target = permission.target(decoded.value);
      const type = permission.types[0];
      if (target === null || type === undefined) throw new Error('no target');
      return checker.check({ pluginId: 'a.b', type, target });
    };
    expect(check('host_list_files', {}).allowed).toBe(true);
    expect(
      check('host_http_request', { url: 'https://api.example.com:8443/v1?q#f', method: 'GET' }).allowed,
    ).toBe(true);
    expect(
      check('host_ws_request', {
        type: 'connect',
        server_url: 'wss://sync.example.com/ws',
        workspace_id: 'w',
      }).allowed,
    ).toBe(true);
    expect(
      check('host_plugin_command', { plugin_id: 'diaryx.sync', command: 'Status', params: null }).allowed,
    ).toBe(true);
    expect(check('host_namespace_get_object', { ns_id: 'ns1', key: 'posts/a' }).allowed).toBe(true);
    expect(check('host_namespace_get_object', { ns_id: 'ns1', key: '../ns2/a' })).toMatchObject({
      reason: 'invalid_target',
    });
    expect(check('host_namespace_list', {}).outcome).toBe('not_configured');
  });
});

describe('deny-all and allow-all', () => {
  it('deny-all denies every valid target with the denied message', async () => {
    const checker = createDenyAllChecker();
    expect(await checker.checkAsync({ pluginId: id, type: 'plugin_storage', target: 'k' })).toMatchObject({
      allowed: false,
      outcome: 'denied',
      reason: 'deny_all',
      normalizedTarget: 'k',
      message: `Permission denied for plugin '${id}': plugin_storage on 'k'`,
    });
  });

  it('allow-all allows valid targets and normalizes them', () => {
    const audit = createMemoryAuditSink();
    const checker = createAllowAllChecker({ audit });
    expect(checker.check({ pluginId: id, type: 'http_requests', target: 'https://X.com./' })).toMatchObject({
      allowed: true,
      reason: 'allow_all',
      normalizedTarget: 'x.com',
    });
    expect(audit.decisions).toHaveLength(1);
  });
});
