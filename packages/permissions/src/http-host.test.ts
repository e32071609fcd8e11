import { describe, expect, it } from 'vitest';
import { createPolicyChecker } from './checkers/policy-checker.js';
import { hostOfTarget, isIpHost, normalizeHostPattern } from './http-host.js';

describe('hostOfTarget', () => {
  it.each([
    ['https://api.example.com/v1/items?q=a#frag', 'api.example.com'],
    ['https://API.Example.COM:8443/v1', 'api.example.com'],
    ['http://example.com.', 'example.com'],
    ['http://example.com.:80/x', 'example.com'],
    ['wss://sync.example.com/ws', 'sync.example.com'],
    ['ws://localhost:8080', 'localhost'],
    ['https://bücher.de/', 'xn--bcher-kva.de'],
    ['https://BÜCHER.de/', 'xn--bcher-kva.de'],
    ['https://api.example.com@evil.com/', 'evil.com'],
    ['https://user:pw@api.example.com/', 'api.example.com'],
    ['http://example.com\\@evil.com/', 'example.com'],
    ['HTTP://Ex%61mple.com', 'example.com'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://2130706433/', '127.0.0.1'],
    ['http://[::1]:8/', '[::1]'],
    ['https://a.com:99999999/', undefined],
    ['api.example.com/v1', undefined],
    ['localhost:8080/x', undefined],
    ['file:///etc/passwd', undefined],
    ['ftp://example.com/', undefined],
    ['javascript:alert(1)', undefined],
    ['mailto:x@example.com', undefined],
    ['not a url', undefined],
    ['', undefined],
    ['http://foo.0.1/', undefined],
  ])('%j → %j', (target, host) => {
    const result = hostOfTarget(target);
    if (host === undefined) expect(result.ok).toBe(false);
    else expect(result).toEqual({ ok: true, value: host });
  });

  it.each(['api.example.com', 'api.example.com/v1', 'localhost:8080/x', '127.0.0.1', '//example.com/x'])(
    'refuses the bare host %j: a URL is expected',
    (target) => {
      expect(hostOfTarget(target)).toEqual({
        ok: false,
        problem:
          'has no scheme; a URL such as https://api.example.com/ is expected (http, https, ws or wss), not a bare host',
      });
    },
  );

  it('denies a bare host where a URL is expected, even one the policy grants', () => {
    const checker = createPolicyChecker({
      policy: { plugins: { 'acme.x': { permissions: { http_requests: { include: ['all'] } } } } },
    });
    expect(
      checker.check({ pluginId: 'acme.x', type: 'http_requests', target: 'api.example.com' }),
    ).toMatchObject({
      allowed: false,
      outcome: 'denied',
      reason: 'invalid_target',
      normalizedTarget: null,
      detail:
        'target has no scheme; a URL such as https://api.example.com/ is expected (http, https, ws or wss), not a bare host',
    });
    expect(
      checker.check({ pluginId: 'acme.x', type: 'http_requests', target: 'https://api.example.com' }).allowed,
    ).toBe(true);
  });

  it('explains a refused scheme', () => {
    expect(hostOfTarget('file:///etc/passwd')).toEqual({
      ok: false,
      problem: 'uses the scheme file: (only http, https, ws and wss are checked)',
    });
  });
});

describe('normalizeHostPattern', () => {
  it.each([
    ['api.example.com', { ok: true, value: 'api.example.com' }],
    ['API.Example.com.', { ok: true, value: 'api.example.com' }],
    ['https://api.example.com', { ok: true, value: 'api.example.com' }],
    ['api.example.com:8443', { ok: true, value: 'api.example.com' }],
    ['bücher.de', { ok: true, value: 'xn--bcher-kva.de' }],
    ['api.example.com/v1', { ok: true, value: 'api.example.com', hadPath: true }],
    [
      '*.example.com',
      { ok: false, problem: 'contains a wildcard; a host pattern already matches all its subdomains' },
    ],
    ['user@example.com', { ok: false, problem: 'contains user info' }],
    ['exa mple.com', { ok: false, problem: 'is not a host name' }],
  ])('%j → %j', (pattern, expected) => {
    expect(normalizeHostPattern(pattern)).toEqual(expected);
  });
});

describe('isIpHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['[::1]', true],
    ['example.com', false],
    ['localhost', false],
  ])('%s → %s', (host, expected) => expect(isIpHost(host)).toBe(expected));
});
