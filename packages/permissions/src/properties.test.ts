import { PERMISSION_TYPES, type PermissionType } from '@plinth/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAllowAllChecker } from './checkers/allow-all.js';
import { createPolicyChecker } from './checkers/policy-checker.js';
import { CompiledPolicy } from './compiled-policy.js';
import { normalizeFilePath } from './file-path.js';
import { hostOfTarget } from './http-host.js';
import { FILE_PERMISSION_TYPES } from './permission-kinds.js';

const segment = fc.constantFrom(
  'Daily',
  'daily',
  'private',
  'a',
  'b.md',
  'README.md',
  'x y',
  '.hidden',
  'v1.2',
  'ü',
);
const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
const separator = fc.constantFrom('/', '\\', '//', '/./');
const traversal = fc.constantFrom('..', '%2e%2e', '%2E%2e', '%252e%252e', '.%2e');
const label = fc.constantFrom(
  'a',
  'b',
  'api',
  'example',
  'com',
  'notexample',
  'xn--bcher-kva',
  'org',
  'ex-ample',
);
const host = fc.array(label, { minLength: 1, maxLength: 4 }).map((labels) => labels.join('.'));
const fileType = fc.constantFrom(...FILE_PERMISSION_TYPES);
const anyType = fc.constantFrom(...PERMISSION_TYPES);

const policyWith = (type: PermissionType, include: string[], exclude: string[]) =>
  CompiledPolicy.compile({ plugins: { 'p.q': { permissions: { [type]: { include, exclude } } } } });

/** A path with a traversal segment somewhere in it, joined with any separator. */
const traversalPath = fc
  .tuple(fc.array(segment, { maxLength: 3 }), traversal, fc.array(segment, { maxLength: 3 }), separator)
  .map(([before, dots, after, sep]) => [...before, dots, ...after].join(sep));

describe('properties', () => {
  it('exclude always beats include', () => {
    fc.assert(
      fc.property(
        fileType,
        fc.array(path, { maxLength: 4 }),
        path,
        path,
        (type, includes, excluded, target) => {
          const policy = policyWith(type, [...includes, excluded, 'all'], [excluded]);
          const normalized = normalizeFilePath(target);
          if (!normalized.ok) return;
          const resolution = policy.resolve('p.q', type, normalized.value);
          const underExclude = normalized.value === excluded || normalized.value.startsWith(`${excluded}/`);
          if (underExclude) expect(resolution.outcome).toBe('denied');
        },
      ),
    );
    fc.assert(
      fc.property(fc.array(host, { maxLength: 3 }), host, host, (includes, excluded, target) => {
        const policy = policyWith('http_requests', [...includes, 'all'], [excluded]);
        const resolution = policy.resolve('p.q', 'http_requests', target);
        if (target === excluded || target.endsWith(`.${excluded}`)) expect(resolution.outcome).toBe('denied');
      }),
    );
  });

  it('an `all` exclude denies every valid target of every type', () => {
    fc.assert(
      fc.property(anyType, fc.string(), (type, target) => {
        const checker = createPolicyChecker({ policy: policyWith(type, ['all'], ['all']) });
        expect(checker.check({ pluginId: 'p.q', type, target }).allowed).toBe(false);
      }),
    );
  });

  it('no target with a traversal segment is ever allowed', () => {
    const checkers = [
      createAllowAllChecker(),
      createPolicyChecker({ policy: policyWith('read_files', ['all', '/'], []) }),
    ];
    fc.assert(
      fc.property(
        traversalPath,
        fc.constantFrom('', '/', './', '/home/u/ws/'),
        fc.boolean(),
        (target, lead, withRoot) => {
          for (const checker of checkers) {
            const decision = checker.check({
              pluginId: 'p.q',
              type: 'read_files',
              target: lead + target,
              ...(withRoot ? { workspaceRoot: '/home/u/ws' } : {}),
            });
            expect(decision.allowed).toBe(false);
            expect(decision.reason).toBe('invalid_target');
          }
        },
      ),
    );
  });

  it('normalization never throws and never yields a traversal segment', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.option(fc.string(), { nil: undefined }), (raw, root) => {
        const result = normalizeFilePath(raw, root);
        if (result.ok) {
          expect(result.value.split('/')).not.toContain('..');
          expect(result.value).not.toContain('\0');
          expect(result.value.startsWith('/')).toBe(false);
        }
      }),
    );
  });

  it('a host never matches a pattern it is not equal to or a subdomain of', () => {
    fc.assert(
      fc.property(
        host,
        host,
        fc.constantFrom('https://', 'http://', 'wss://'),
        fc.option(fc.integer({ min: 1, max: 65535 })),
        (pattern, target, scheme, port) => {
          const policy = policyWith('http_requests', [pattern], []);
          const parsed = hostOfTarget(`${scheme}${target}${port === null ? '' : `:${port}`}/x`);
          if (!parsed.ok) return;
          const allowed = policy.resolve('p.q', 'http_requests', parsed.value).outcome === 'allowed';
          expect(allowed).toBe(parsed.value === pattern || parsed.value.endsWith(`.${pattern}`));
        },
      ),
    );
  });

  it('host parsing never throws, and the fast path agrees with the URL parser', () => {
    fc.assert(
      fc.property(fc.string(), (target) => {
        hostOfTarget(target);
      }),
    );
    fc.assert(
      fc.property(
        host,
        fc.constantFrom('', '.', '.:8080', ':443'),
        fc.constantFrom('HTTPS://', 'http://', 'ws://'),
        (name, suffix, scheme) => {
          const url = `${scheme}${name.toUpperCase()}${suffix}/p?q`;
          const result = hostOfTarget(url);
          expect(result).toEqual({ ok: true, value: new URL(url).hostname.replace(/\.$/, '') });
        },
      ),
    );
  });

  it('decisions are deterministic', () => {
    const policy = {
      plugins: {
        'p.q': {
          permissions: {
            read_files: { include: ['Daily', 'b.md', 'a/README.md'], exclude: ['Daily/private'] },
            http_requests: { include: ['example.com'], exclude: ['api.example.com'] },
            execute_commands: { include: ['x.y:Run'] },
          },
        },
      },
    };
    const one = createPolicyChecker({ policy });
    const two = createPolicyChecker({ policy: JSON.parse(JSON.stringify(policy)) as object });
    fc.assert(
      fc.property(
        anyType,
        fc.oneof(
          path,
          traversalPath,
          host.map((h) => `https://${h}/`),
          fc.string(),
        ),
        (type, target) => {
          const request = { pluginId: 'p.q', type, target };
          const first = one.check(request);
          expect(one.check(request)).toEqual(first);
          expect(two.check(request)).toEqual(first);
        },
      ),
    );
  });
});
