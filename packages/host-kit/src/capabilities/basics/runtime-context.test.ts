import { describe, expect, it } from 'vitest';
import type { HostCallContext } from '../../bundle/host-bundle.js';
import { createRuntimeContextBundle, isSecretKey, redactSecrets } from './runtime-context.js';

const context: HostCallContext = { pluginId: 'acme.context', exportName: 'init' };

describe('redactSecrets', () => {
  it('removes secret-looking keys at any depth, in any spelling, and credential-looking values', () => {
    const value = {
      workspace_id: 'w1',
      author: 'Ada',
      API_KEY: 'k',
      apiKey: 'k',
      nested: { GitHub_Token: 't', list: [{ password: 'p', keep: 1 }, 'Bearer abc', 'plain'] },
      headers: { Authorization: 'x', accept: 'json' },
      jwt_like: 'eyJhbGciOi.eyJzdWIiOi.sig',
      auth: 'a',
    };
    expect(redactSecrets(value)).toEqual({
      workspace_id: 'w1',
      author: 'Ada',
      nested: { list: [{ keep: 1 }, 'plain'] },
      headers: { accept: 'json' },
    });
  });
  it('removes the keys the app marks, by name or pattern', () => {
    expect(isSecretKey('Workspace_Owner_Email', ['workspace_owner_email'])).toBe(true);
    expect(redactSecrets({ a: { internal_x: 1, y: 2 }, z: 3 }, [/^internal_/, 'z'])).toEqual({ a: { y: 2 } });
  });
  it('refuses what JSON cannot carry', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => redactSecrets(cycle)).toThrow('context.self refers back to itself');
    expect(() => redactSecrets({ n: Number.NaN })).toThrow('context.n is NaN, which JSON cannot carry');
  });
});

describe('createRuntimeContextBundle', () => {
  it('answers {} by default', () => {
    expect(createRuntimeContextBundle().host_get_runtime_context!({}, context)).toBe('{}');
  });
  it('answers the provider object for the calling plugin, redacted', () => {
    const bundle = createRuntimeContextBundle({
      provider: (ctx) => ({ plugin: ctx.pluginId, server_url: 'https://x', session_token: 's' }),
    });
    expect(bundle.host_get_runtime_context!({}, context)).toBe(
      '{"plugin":"acme.context","server_url":"https://x"}',
    );
  });
  it('answers {} and reports a provider that throws or answers a non-object', () => {
    const errors: string[] = [];
    const onError = (error: unknown, ctx: HostCallContext) =>
      errors.push(`${ctx.pluginId}: ${(error as Error).message}`);
    const throwing = createRuntimeContextBundle({
      provider: () => {
        throw new Error('db down');
      },
      onError,
    });
    const array = createRuntimeContextBundle({ provider: () => [] as never, onError });
    expect(throwing.host_get_runtime_context!({}, context)).toBe('{}');
    expect(array.host_get_runtime_context!({}, context)).toBe('{}');
    expect(errors).toEqual([
      'acme.context: db down',
      'acme.context: the runtime context provider answered an array, not an object',
    ]);
  });
});
