import { createAllowAllChecker, createPolicyChecker } from '@plinth/permissions';
import { describe, expect, it } from 'vitest';
import type { HostCallContext } from '../bundle/host-bundle.js';
import { coverage } from '../bundle/coverage.js';
import { createNamespacesBundle, type NamespaceStore } from './namespaces.js';

const context: HostCallContext = { pluginId: 'acme.site', exportName: 'handle_command' };

const untouchable = new Proxy({} as NamespaceStore, {
  get: (_target, property) => () => {
    throw new Error(`store.${String(property)} called before the permission check`);
  },
});

describe('createNamespacesBundle', () => {
  it('checks the namespaces permission before any store call', () => {
    const bundle = createNamespacesBundle({
      store: untouchable,
      permissions: createPolicyChecker({ policy: { plugins: {} } }),
    });
    const notConfigured = (target: string) =>
      `Permission not configured for plugin 'acme.site': namespaces on '${target}'. Add plugins.acme.site.permissions.namespaces to the policy.`;
    expect(bundle.host_namespace_create?.({}, context)).toEqual({ failure: notConfigured('*') });
    expect(bundle.host_namespace_get_object?.({ ns_id: 'n', key: 'k' }, context)).toEqual({
      failure: notConfigured('n/k'),
    });
    expect(bundle.host_namespace_list_objects?.({ ns_id: 'n', prefix: 'p/' }, context)).toEqual({
      failure: notConfigured('n/p/'),
    });
  });

  it('refuses more than the batch limit over all concurrent batches', () => {
    const bundle = createNamespacesBundle({ store: untouchable, permissions: createAllowAllChecker() });
    const batches = Array.from({ length: 11 }, (_, b) => Array.from({ length: 500 }, (_, k) => `${b}-${k}`));
    expect(bundle.host_namespace_get_objects_batches_concurrent?.({ ns_id: 'n', batches }, context)).toEqual({
      failure: '5500 keys requested; at most 5000 are allowed',
    });
  });

  it('serves every namespace function of the catalogue, and leaves the unsupported ones (audiences, build, email) alone', () => {
    const bundle = createNamespacesBundle({ store: untouchable, permissions: createAllowAllChecker() });
    const rows = coverage(bundle);
    expect(rows.find((row) => row.capability === 'namespaces')?.missing).toEqual([]);
    expect(rows.find((row) => row.capability === 'unsupported')?.served).toEqual([]);
  });
});
