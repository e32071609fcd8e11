import { PlinthError } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { CompiledPolicy } from './compiled-policy.js';
import { PolicyError } from './policy-error.js';

const errorOf = (document: unknown): PolicyError => {
  try {
    CompiledPolicy.compile(document);
  } catch (error) {
    if (PolicyError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('compiled');
};

describe('PolicyError', () => {
  it.each([
    [
      { plugins: { 'acme.x': { permissions: { read_files: { include: ['a', 3] } } } } },
      'acme.x',
      'read_files',
      `Invalid permission policy: plugin 'acme.x', read_files: at plugins["acme.x"].permissions.read_files.include[1]: expected string, got number 3`,
    ],
    [
      { plugins: { 'acme.x': { permissions: { plugin_storage: { quota_bytes: -1 } } } } },
      'acme.x',
      'plugin_storage',
      `Invalid permission policy: plugin 'acme.x', plugin_storage: at plugins["acme.x"].permissions.plugin_storage.quota_bytes: quota_bytes must be 0 (unlimited) or a positive number of bytes`,
    ],
    [
      { plugins: { 'acme.x': { permissions: [] } } },
      'acme.x',
      undefined,
      `Invalid permission policy: plugin 'acme.x': at plugins["acme.x"].permissions: expected object, got an array`,
    ],
    [
      { plugins: 'all' },
      undefined,
      undefined,
      'Invalid permission policy: at plugins: expected record, got a string ("all")',
    ],
    [null, undefined, undefined, 'Invalid permission policy: at (root): expected object, got null'],
  ])('%j names plugin %s and permission %s', (document, pluginId, permission, message) => {
    const error = errorOf(document);
    expect(error.message).toBe(message);
    expect(error.context.pluginId).toBe(pluginId);
    expect(error.permission).toBe(permission);
    expect(error.code).toBe('invalid_policy');
    expect(error).toBeInstanceOf(PlinthError);
    expect(PlinthError.isInstance(error)).toBe(true);
    expect(error.path.length).toBeGreaterThanOrEqual(0);
  });
});
