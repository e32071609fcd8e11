import type { Policy } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { addGrant, removeGrant } from './grant.js';

const policy: Policy = {
  plugins: {
    'acme.notes': {
      permissions: {
        read_files: { include: ['Notes', 'Journal'], exclude: ['Notes/private'] },
        plugin_storage: { include: ['all'], exclude: [] },
      },
    },
  },
};

describe('removeGrant', () => {
  it('takes one scope out of the include list and keeps the excludes', () => {
    const next = removeGrant(policy, { pluginId: 'acme.notes', permission: 'read_files', scope: 'Notes' });
    expect(next.plugins['acme.notes']?.permissions.read_files).toEqual({
      include: ['Journal'],
      exclude: ['Notes/private'],
    });
    expect(policy.plugins['acme.notes']?.permissions.read_files?.include).toEqual(['Notes', 'Journal']);
  });

  it('takes the whole rule without a scope, leaving the other rules', () => {
    const next = removeGrant(policy, { pluginId: 'acme.notes', permission: 'read_files' });
    expect(Object.keys(next.plugins['acme.notes']?.permissions ?? {})).toEqual(['plugin_storage']);
  });

  it('answers the same policy when there is nothing to remove', () => {
    expect(removeGrant(policy, { pluginId: 'acme.notes', permission: 'read_files', scope: 'Other' })).toBe(
      policy,
    );
    expect(removeGrant(policy, { pluginId: 'acme.other', permission: 'read_files' })).toBe(policy);
    expect(removeGrant(policy, { pluginId: 'acme.notes', permission: 'edit_files' })).toBe(policy);
  });

  it('undoes addGrant', () => {
    const grant = { pluginId: 'acme.new', permission: 'edit_files', scope: 'Drafts' } as const;
    const added = addGrant(policy, grant);
    expect(removeGrant(added, grant).plugins['acme.new']?.permissions.edit_files?.include).toEqual([]);
  });
});
