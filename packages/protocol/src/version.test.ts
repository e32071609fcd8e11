import { describe, expect, it } from 'vitest';
import { guestManifestSchema } from './payloads/manifest.js';
import { isCanonicalPluginId, isSemver, PROTOCOL_VERSION } from './version.js';

describe('PROTOCOL_VERSION', () => {
  it('speaks exactly protocol 1', () => {
    expect(PROTOCOL_VERSION).toEqual({ min: 1, max: 1, current: 1 });
  });
});

describe('isSemver', () => {
  it.each([
    '0.0.0',
    '1.2.3',
    '10.20.30',
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-0.3.7',
    '1.0.0-x-y.7.z.92',
    '1.0.0+20130313144700',
    '1.0.0-beta+exp.sha.5114f85',
    '1.0.0+001',
  ])('accepts %s', (text) => expect(isSemver(text)).toBe(true));

  it.each([
    '',
    '1',
    '1.0',
    'v1.0.0',
    '01.0.0',
    '1.01.0',
    '1.0.00',
    '1.0.0-',
    '1.0.0-01',
    '1.0.0+',
    '1.0.0-a..b',
    ' 1.0.0',
    '1.0.0 ',
    '1.0.0.0',
    '>=1.0.0',
    '1.x.0',
  ])('refuses %j', (text) => expect(isSemver(text)).toBe(false));
});

describe('isCanonicalPluginId', () => {
  it.each(['acme.word-count', 'diaryx.daily', 'diaryx.storage.s3', 'a.b', '0.9', 'x-1.y-2'])(
    'accepts %s',
    (id) => {
      expect(isCanonicalPluginId(id)).toBe(true);
    },
  );

  it.each([
    'acme',
    'Acme.x',
    'acme..x',
    '.acme.x',
    'acme.x.',
    'acme/x.y',
    '../x.y',
    'acme.-x',
    'acme.x-',
    'acme_x.y',
    'acme.x y',
    'acme.ü',
    '',
  ])('refuses %j', (id) => expect(isCanonicalPluginId(id)).toBe(false));

  // The manifest refuses ids longer than 128 characters; a helper that calls such an id canonical lets a
  // caller (directory names, policy keys) accept an id that no manifest can ever declare.
  it('agrees with the manifest on the 128-character limit', () => {
    const longest = `acme.${'a'.repeat(123)}`;
    const tooLong = `${longest}a`;
    expect(longest).toHaveLength(128);
    expect(guestManifestSchema.shape.id.safeParse(longest).success).toBe(true);
    expect(isCanonicalPluginId(longest)).toBe(true);
    expect(guestManifestSchema.shape.id.safeParse(tooLong).success).toBe(false);
    expect(isCanonicalPluginId(tooLong)).toBe(false);
  });
});
