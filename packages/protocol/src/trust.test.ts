import { describe, expect, it } from 'vitest';
import { parsePolicy } from './payloads/all.js';
import { matchesPluginPattern, trustedKeysFor, unsignedPolicyFor, type TrustPolicy } from './trust.js';

const KEY = 'WK/07HM44crxEf1hRFNgOUwY2QeGyxHSx9x8oaIAj34=';
const PEM = `-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAWK/07HM44crxEf1hRFNgOUwY2QeGyxHSx9x8oaIAj34=\n-----END PUBLIC KEY-----\n`;

const trustOf = (trust: unknown): TrustPolicy => {
  const result = parsePolicy({ plugins: {}, trust });
  if (!result.ok) throw result.error;
  if (result.value.trust === undefined) throw new Error('trust was dropped');
  return result.value.trust;
};

describe('the trust section of a policy', () => {
  it('is optional, and defaults keys and per-plugin settings when present', () => {
    const absent = parsePolicy({ plugins: {} });
    expect(absent.ok && absent.value.trust).toBeUndefined();
    expect(trustOf({})).toEqual({ keys: [], plugins: {} });
  });

  it('keeps keys in base64 or PEM form, their plugin patterns, and the signature requirements', () => {
    const trust = trustOf({
      keys: [
        { name: 'acme release', public_key: KEY, plugins: ['acme.*', 'other.tool'] },
        { name: 'ci', public_key: PEM },
      ],
      require_signature: true,
      plugins: { 'acme.legacy': { require_signature: false } },
    });
    expect(trust.keys.map((key) => key.name)).toEqual(['acme release', 'ci']);
    expect(trust.keys[0]?.plugins).toEqual(['acme.*', 'other.tool']);
    expect(trust.plugins['acme.legacy']).toEqual({ require_signature: false });
  });

  it.each([
    [
      { keys: [{ name: 'a', public_key: 'not a key' }] },
      ['trust', 'keys', 0, 'public_key'],
      /Ed25519 public key/,
    ],
    [
      { keys: [{ name: '', public_key: KEY }] },
      ['trust', 'keys', 0, 'name'],
      /expected string to have >=1 characters/,
    ],
    [
      { keys: [{ name: 'a', public_key: KEY, plugins: ['Acme.*'] }] },
      ['trust', 'keys', 0, 'plugins', 0],
      /a plugin id \(acme\.notes\) or an id prefix ending in \.\* \(acme\.\*\)/,
    ],
    [
      { keys: [{ name: 'a', public_key: KEY, plugins: ['*'] }] },
      ['trust', 'keys', 0, 'plugins', 0],
      /id prefix/,
    ],
    [
      {
        keys: [
          { name: 'same', public_key: KEY },
          { name: 'same', public_key: PEM },
        ],
      },
      ['trust', 'keys', 1, 'name'],
      /the key name "same" is used twice/,
    ],
    [{ require_signature: 'yes' }, ['trust', 'require_signature'], /expected boolean/],
  ])('refuses %j at its path with a message', (trust, path, message) => {
    const result = parsePolicy({ plugins: {}, trust });
    if (result.ok) throw new Error('expected a rejection');
    expect(result.error.code).toBe('invalid_payload');
    expect(result.error.path).toEqual(path);
    expect(result.error.message).toMatch(message);
  });

  it('matches exact ids and prefixes ending in .*, never a longer id by its start alone', () => {
    expect(matchesPluginPattern('acme.*', 'acme.notes')).toBe(true);
    expect(matchesPluginPattern('acme.*', 'acme.notes.extra')).toBe(true);
    expect(matchesPluginPattern('acme.*', 'acmecorp.notes')).toBe(false);
    expect(matchesPluginPattern('acme.notes', 'acme.notes')).toBe(true);
    expect(matchesPluginPattern('acme.notes', 'acme.notes-pro')).toBe(false);
  });

  it('picks the keys that may sign a plugin, and what unsigned copies get (plugin setting first)', () => {
    const trust = trustOf({
      keys: [
        { name: 'acme', public_key: KEY, plugins: ['acme.*'] },
        { name: 'any', public_key: PEM },
      ],
      require_signature: true,
      plugins: { 'acme.legacy': { require_signature: false } },
    });
    expect(trustedKeysFor(trust, 'acme.notes').map((key) => key.name)).toEqual(['acme', 'any']);
    expect(trustedKeysFor(trust, 'other.tool').map((key) => key.name)).toEqual(['any']);
    expect(trustedKeysFor(undefined, 'acme.notes')).toEqual([]);
    expect(unsignedPolicyFor(trust, 'acme.notes')).toBe('require');
    expect(unsignedPolicyFor(trust, 'acme.legacy')).toBe('allow');
    expect(unsignedPolicyFor(undefined, 'acme.notes')).toBe('warn');
    expect(unsignedPolicyFor(trustOf({}), 'acme.notes')).toBe('warn');
  });
});
