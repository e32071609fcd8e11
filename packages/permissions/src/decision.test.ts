import { describe, expect, it } from 'vitest';
import { deniedMessage, makeDecision, notConfiguredMessage } from './decision.js';

describe('messages', () => {
  it('are exactly the PROTOCOL.md messages', () => {
    expect(deniedMessage('acme.x', 'read_files', 'Daily/a.md')).toBe(
      "Permission denied for plugin 'acme.x': read_files on 'Daily/a.md'",
    );
    expect(notConfiguredMessage('acme.x', 'http_requests', 'https://a.com/')).toBe(
      "Permission not configured for plugin 'acme.x': http_requests on 'https://a.com/'. Add plugins.acme.x.permissions.http_requests to the policy.",
    );
  });

  it('escape control characters so a target cannot forge log lines', () => {
    expect(deniedMessage('a.b', 'read_files', 'x\nPermission granted\u0000')).toBe(
      "Permission denied for plugin 'a.b': read_files on 'x\\u000aPermission granted\\u0000'",
    );
  });

  it('leave allowed decisions without a message or optional fields', () => {
    const decision = makeDecision({
      outcome: 'allowed',
      permission: 'read_files',
      pluginId: 'a.b',
      target: 'x',
      normalizedTarget: 'x',
      reason: 'allow_all',
    });
    expect(decision).toEqual({
      allowed: true,
      outcome: 'allowed',
      permission: 'read_files',
      pluginId: 'a.b',
      target: 'x',
      normalizedTarget: 'x',
      reason: 'allow_all',
      message: '',
    });
    expect('rule' in decision).toBe(false);
  });
});
