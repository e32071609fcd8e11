import { PERMISSION_TYPES, type PermissionType } from '@plinth/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPolicyChecker } from './checkers/policy-checker.js';
import { CompiledPolicy } from './compiled-policy.js';
import { normalizeFilePath } from './file-path.js';
import { sizeProblem, TARGET_LIMITS, utf8Length } from './target-limits.js';

const id = 'acme.limits';
const everything = Object.fromEntries(PERMISSION_TYPES.map((type) => [type, { include: ['all'] }]));
const checker = createPolicyChecker({ policy: { plugins: { [id]: { permissions: everything } } } });
const check = (type: PermissionType, target: string) => checker.check({ pluginId: id, type, target });

/** A string of exactly `bytes` UTF-8 bytes built from `unit` (whose size divides `bytes`) and ASCII. */
const sized = (bytes: number, unit: string, tail = ''): string =>
  unit.repeat(Math.floor((bytes - tail.length) / utf8Length(unit))) + tail;

/** A host name of `bytes` bytes: labels of 63 `a`s and a shorter last one. */
const hostOf = (bytes: number): string => {
  const labels: string[] = [];
  let left = bytes;
  while (left > 64) {
    labels.push('a'.repeat(63));
    left -= 64;
  }
  labels.push('b'.repeat(left));
  return labels.join('.');
};

describe('target bounds', () => {
  it.each([
    ['ASCII', 'a/'],
    ['two-byte characters', 'é/'],
    ['surrogate pairs', '😀'],
  ])('allows a path of exactly 4096 bytes and refuses 4097 (%s)', (_, unit) => {
    const path = sized(4096, unit, 'x'.repeat(4096 % utf8Length(unit)));
    expect(utf8Length(path)).toBe(4096);
    expect(check('read_files', path)).toMatchObject({ allowed: true, reason: 'matched_include' });
    const over = `${path}y`;
    expect(check('read_files', over)).toMatchObject({
      allowed: false,
      reason: 'invalid_target',
      normalizedTarget: null,
      detail: 'target is 4097 bytes; paths longer than 4096 bytes are refused',
    });
  });

  it('names the size of a 20 KB path', () => {
    expect(check('edit_files', 'a/'.repeat(10_240)).detail).toBe(
      'target is 20480 bytes; paths longer than 4096 bytes are refused',
    );
  });

  it('counts a lone surrogate as the 3 bytes of U+FFFD', () => {
    expect(utf8Length('\ud800'.repeat(1365))).toBe(4095);
    expect(check('read_files', '\ud800'.repeat(1366)).detail).toBe(
      'target is 4098 bytes; paths longer than 4096 bytes are refused',
    );
  });

  it('allows a host of 253 bytes and refuses 254', () => {
    const host = hostOf(253);
    expect(host.length).toBe(253);
    expect(check('http_requests', `https://${host}/x`)).toMatchObject({
      allowed: true,
      normalizedTarget: host,
    });
    expect(check('http_requests', `https://${host}./x`)).toMatchObject({
      allowed: true,
      normalizedTarget: host,
    });
    expect(check('http_requests', `https://${hostOf(254)}/x`)).toMatchObject({
      allowed: false,
      reason: 'invalid_target',
      detail: 'target has a host name of 254 bytes; host names longer than 253 bytes are refused',
    });
  });

  it('refuses a host of 10,000 labels', () => {
    expect(check('http_requests', `https://${'a.'.repeat(10_000)}com/`).detail).toBe(
      'target has a host name of 20003 bytes; host names longer than 253 bytes are refused',
    );
  });

  it.each([
    ['first', (label: string) => `${label}.example.com`],
    ['middle', (label: string) => `api.${label}.com`],
    ['last', (label: string) => `example.${label}`],
  ])('allows a label of 63 bytes and refuses 64 (%s label)', (_, host) => {
    expect(check('http_requests', `https://${host('a'.repeat(63))}/`).allowed).toBe(true);
    expect(check('http_requests', `wss://${host('a'.repeat(64))}/`)).toMatchObject({
      allowed: false,
      reason: 'invalid_target',
      detail: 'target has a host label of 64 bytes; labels longer than 63 bytes are refused',
    });
  });

  it('measures hosts after IDN conversion', () => {
    // 57 × "ü" is a 63-byte punycode label (xn--…), 58 × "ü" a 64-byte one.
    expect(check('http_requests', `https://${'ü'.repeat(57)}.de/`).allowed).toBe(true);
    expect(check('http_requests', `https://${'ü'.repeat(58)}.de/`).detail).toBe(
      'target has a host label of 64 bytes; labels longer than 63 bytes are refused',
    );
  });

  it('allows a URL of 65536 bytes and refuses 65537', () => {
    const lead = 'https://api.example.com/?';
    const url = lead + 'q'.repeat(65_536 - lead.length);
    expect(url.length).toBe(65_536);
    expect(check('http_requests', url).allowed).toBe(true);
    expect(check('http_requests', `${url}q`)).toMatchObject({
      allowed: false,
      reason: 'invalid_target',
      detail: 'target is 65537 bytes; URLs longer than 65536 bytes are refused',
    });
  });

  it.each([
    ['namespaces', TARGET_LIMITS.keyBytes, 'ns1/', 'namespace keys'],
    ['plugin_storage', TARGET_LIMITS.keyBytes, 'key-', 'storage keys'],
    ['execute_commands', TARGET_LIMITS.commandBytes, 'acme.xy:', 'command targets'],
  ] as const)('%s: allows %d bytes and refuses one more', (type, bytes, lead, what) => {
    const target = lead + 'é'.repeat((bytes - lead.length) / 2);
    expect(utf8Length(target)).toBe(bytes);
    expect(check(type, target).allowed).toBe(true);
    expect(check(type, `${target}k`)).toMatchObject({
      allowed: false,
      reason: 'invalid_target',
      detail: `target is ${bytes + 1} bytes; ${what} longer than ${bytes} bytes are refused`,
    });
  });

  it('skips policy scopes over the bounds with a warning', () => {
    const policy = CompiledPolicy.compile({
      plugins: {
        [id]: {
          permissions: {
            read_files: { include: ['a/'.repeat(2049)] },
            http_requests: { include: [hostOf(254)] },
            execute_commands: { include: [`acme.x:${'c'.repeat(4096)}`] },
          },
        },
      },
    });
    expect(policy.warnings.map((warning) => warning.message)).toEqual([
      `include scope "${'a/'.repeat(2049)}" is 4098 bytes; paths longer than 4096 bytes are refused; ignored`,
      `include scope "${hostOf(254)}" has a host name of 254 bytes; host names longer than 253 bytes are refused; ignored`,
      `include scope "acme.x:${'c'.repeat(4096)}" is 4103 bytes; command targets longer than 4096 bytes are refused; ignored`,
    ]);
  });
});

describe('sizeProblem', () => {
  const unit = fc.oneof(
    fc.constantFrom('a', '/', 'é', '€', '😀', '\ud800', '\udc00'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  );

  it('agrees with TextEncoder for any string and bound', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), fc.integer({ min: 0, max: 120 }), (text, max) => {
        const bytes = encoder.encode(text).length;
        expect(utf8Length(text)).toBe(bytes);
        expect(sizeProblem(text, max, 'things')).toBe(
          bytes > max ? `is ${bytes} bytes; things longer than ${max} bytes are refused` : undefined,
        );
      }),
    );
  });
});

describe('unpaired surrogates in file targets', () => {
  it('refuses them, since the file system would open another name (U+FFFD)', () => {
    for (const target of ['secret\ud800.md', 'a/\udc00b.md', 'x\udbff']) {
      expect(normalizeFilePath(target)).toEqual({
        ok: false,
        problem: 'contains an unpaired UTF-16 surrogate (not valid Unicode)',
      });
    }
    expect(normalizeFilePath('emoji/🌍.md')).toEqual({ ok: true, value: 'emoji/🌍.md' });
  });
});
