/**
 * The compiled matchers and the one-pass normalizers against naive references written the obvious way
 * (split into segments, compare every scope): same answers for random targets and scopes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPolicyChecker } from './checkers/policy-checker.js';
import type { DecisionRule } from './decision.js';
import { normalizeFilePath } from './file-path.js';
import { HostScopeSet } from './host-scope.js';
import { isIpHost } from './http-host.js';
import { normalizeNamespaceKey } from './namespace-key.js';
import { foldPath, isFilePattern, PathScopeSet } from './path-scope.js';

const naiveFold = (path: string): string =>
  path
    .normalize('NFC')
    .toLowerCase()
    .split('/')
    .map((segment) => segment.replace(/[. ]+$/, ''))
    .join('/');

/** Every scope that matches, then the shortest (the first added among equals). */
function naivePathMatch(
  scopes: readonly string[],
  target: string,
  options: { fold: boolean; fileParent: boolean },
): string | undefined {
  const form = options.fold ? naiveFold : (path: string) => path;
  const keys: [string, string][] = [];
  for (const scope of scopes) {
    keys.push([form(scope), scope]);
    const slash = scope.lastIndexOf('/');
    if (options.fileParent && slash > 0 && isFilePattern(scope))
      keys.push([form(scope.slice(0, slash)), scope]);
  }
  const t = form(target);
  let best: [string, string] | undefined;
  for (const [key, scope] of keys) {
    const matches = key === '' || t === key || t.startsWith(`${key}/`);
    if (matches && (best === undefined || key.length < best[0].length)) best = [key, scope];
  }
  return best?.[1];
}

/** Every pattern the host equals or is a subdomain of (IP literals: equal only), then the longest. */
function naiveHostMatch(patterns: readonly string[], host: string): string | undefined {
  let best: string | undefined;
  for (const pattern of patterns) {
    const matches = host === pattern || (!isIpHost(host) && host.endsWith(`.${pattern}`));
    if (matches && (best === undefined || pattern.length > best.length)) best = pattern;
  }
  return best;
}

/** The split-based normalization: drop empty and `.` segments; refuse `..`, NUL, encoded traversal, > 4 KB. */
/** No unpaired surrogates: encoding to UTF-8 and back gives the same string. */
const isWellFormedUnicode = (text: string): boolean =>
  new TextDecoder().decode(new TextEncoder().encode(text)) === text;

function naiveNormalize(raw: string): string | undefined {
  if (new TextEncoder().encode(raw).length > 4096 || raw.includes('\0')) return undefined;
  if (!isWellFormedUnicode(raw)) return undefined;
  let layer = raw;
  for (let depth = 0; depth <= 4; depth++) {
    if (layer.includes('\0') || layer.split(/[/\\]/).includes('..')) return undefined;
    layer = layer.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  const segments = raw
    .replace(/\\/g, '/')
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.');
  if (/^[A-Za-z]:/.test(raw) || /^[/\\]{2}/.test(raw)) return undefined;
  return segments.join('/');
}

const segment = fc.constantFrom(
  'a',
  'A',
  'b',
  'a.md',
  'A.MD',
  'a.',
  'a ',
  'a. .',
  'aΣ',
  'Σ.',
  'İ',
  'ß',
  'é',
  'e\u0301',
  '.hidden',
  'x y',
  '...',
);
const normalizedPath = fc.array(segment, { maxLength: 5 }).map((parts) => parts.join('/'));
const deepPath = fc.array(segment, { minLength: 20, maxLength: 300 }).map((parts) => parts.join('/'));
const label = fc.constantFrom('a', 'b', 'ab', 'com', 'x-y', 'xn--bcher-kva', '1', '0x1', '10');
const host = fc.array(label, { minLength: 1, maxLength: 6 }).map((labels) => labels.join('.'));

describe('PathScopeSet matches like a naive matcher', () => {
  it('for any scopes, target and options', () => {
    fc.assert(
      fc.property(
        fc.array(normalizedPath, { maxLength: 8 }),
        fc.oneof(normalizedPath, deepPath),
        fc.boolean(),
        fc.boolean(),
        (scopes, target, fold, fileParent) => {
          const set = new PathScopeSet({ fold, fileParent });
          for (const scope of scopes) set.add(scope, { kind: 'include', scope });
          expect(set.match(target)?.scope).toBe(naivePathMatch(scopes, target, { fold, fileParent }));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('for targets built from a scope (so that most of them match)', () => {
    fc.assert(
      fc.property(
        fc.array(normalizedPath, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.array(segment, { maxLength: 4 }),
        fc.boolean(),
        (scopes, pick, rest, fold) => {
          const target = [scopes[pick % scopes.length] as string, ...rest].filter((s) => s !== '').join('/');
          const set = new PathScopeSet({ fold, fileParent: true });
          for (const scope of scopes) set.add(scope, { kind: 'exclude', scope });
          expect(set.match(target)?.scope).toBe(naivePathMatch(scopes, target, { fold, fileParent: true }));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('an `all` scope matches everything', () => {
    fc.assert(
      fc.property(fc.array(normalizedPath), normalizedPath, (scopes, target) => {
        const all: DecisionRule = { kind: 'include', scope: 'all' };
        const set = new PathScopeSet({ fold: false, fileParent: true });
        for (const scope of scopes) set.add(scope, { kind: 'include', scope });
        set.addAll(all);
        expect(set.match(target)).toBe(all);
      }),
    );
  });
});

describe('HostScopeSet matches like a naive matcher', () => {
  it('for any patterns and host', () => {
    fc.assert(
      fc.property(fc.array(host, { maxLength: 8 }), host, (patterns, target) => {
        const set = new HostScopeSet();
        for (const pattern of patterns) set.add(pattern, { kind: 'include', scope: pattern });
        expect(set.match(target)?.scope).toBe(naiveHostMatch(patterns, target));
      }),
      { numRuns: 500 },
    );
  });

  it('for hosts built on a pattern', () => {
    fc.assert(
      fc.property(
        fc.array(host, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.array(label, { maxLength: 3 }),
        (patterns, pick, sub) => {
          const target = [...sub, patterns[pick % patterns.length] as string].join('.');
          const set = new HostScopeSet();
          for (const pattern of patterns) set.add(pattern, { kind: 'include', scope: pattern });
          expect(set.match(target)?.scope).toBe(naiveHostMatch(patterns, target));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('one-pass normalizers agree with split-based ones', () => {
  const rawSegment = fc.oneof(
    segment,
    fc.constantFrom('', '.', '..', '%2e%2e', '%252e%252e', '.%2e', '%2f', '%00', '%41', '100%25', 'C:', '\\'),
    fc.constantFrom('\ud800', '😀', 'x\udc00y'),
  );
  const rawPath = fc
    .tuple(
      fc.constantFrom('', '/', './', '//', '\\'),
      fc.oneof(
        fc.array(rawSegment, { maxLength: 8 }),
        fc.array(rawSegment, { minLength: 300, maxLength: 1200 }),
      ),
      fc.constantFrom('/', '\\', '//', '/./'),
    )
    .map(([lead, parts, separator]) => lead + parts.join(separator));

  /** Strings from the characters that make escapes, separators and dot segments. */
  const percentSoup = fc.string({
    unit: fc.constantFrom('/', '\\', '.', '%', '2', 'e', 'E', 'f', '5', 'c', '0', 'a', ':'),
    maxLength: 24,
  });

  it('file paths', () => {
    fc.assert(
      fc.property(fc.oneof(rawPath, fc.string({ maxLength: 30 }), percentSoup), (raw) => {
        const result = normalizeFilePath(raw);
        const expected = naiveNormalize(raw);
        expect(result.ok ? result.value : undefined).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('folding', () => {
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom('/', '.', ' ', 'A', 'é', 'e\u0301', 'İ', 'ß'),
        fc.string({ minLength: 1, maxLength: 1 }),
      ),
      maxLength: 40,
    });
    fc.assert(
      fc.property(text, (path) => {
        expect(foldPath(path)).toBe(naiveFold(path));
      }),
    );
  });

  it('namespace keys', () => {
    const key = fc
      .array(fc.constantFrom('ns', 'k', '.', '..', '', '...', 'a.b', '\0'), { maxLength: 6 })
      .map((p) => p.join('/'));
    fc.assert(
      fc.property(key, (raw) => {
        const trimmed = raw.replace(/\/+$/, '');
        const segments = trimmed.split('/');
        const bad = raw.includes('\0') || segments.includes('.') || segments.includes('..') || trimmed === '';
        expect(normalizeNamespaceKey(raw)).toEqual(
          bad ? expect.objectContaining({ ok: false }) : { ok: true, value: trimmed },
        );
      }),
    );
  });
});

describe('decisions match the naive reading of a policy', () => {
  // Policy scopes are trimmed when read; these need no trimming, so they are their own normalized form.
  const scope = normalizedPath.filter((path) => path !== '' && path === path.trim());

  it('exclude wins, then include, else not configured', () => {
    fc.assert(
      fc.property(
        fc.array(scope, { maxLength: 5 }),
        fc.array(scope, { maxLength: 3 }),
        fc.oneof(normalizedPath, deepPath),
        (include, exclude, target) => {
          const checker = createPolicyChecker({
            policy: { plugins: { 'p.q': { permissions: { read_files: { include, exclude } } } } },
          });
          const decision = checker.check({ pluginId: 'p.q', type: 'read_files', target });
          const excluded = naivePathMatch(exclude, target, { fold: true, fileParent: true });
          const included = naivePathMatch(include, target, { fold: false, fileParent: true });
          const expected =
            excluded !== undefined ? 'denied' : included !== undefined ? 'allowed' : 'not_configured';
          expect(decision.outcome).toBe(expected);
          expect(decision.rule?.scope).toBe(excluded ?? included);
        },
      ),
      { numRuns: 500 },
    );
  });
});
