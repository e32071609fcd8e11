import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MANIFEST, MODULE, keyPair, trusting } from './__fixtures__/signing.js';
import { checkPluginSignature } from './check-plugin-signature.js';
import { SignatureError, type SigningResult } from './signature-error.js';
import { formatSignature, parseSignature, type PluginSignature } from './signature-file.js';
import { signPlugin } from './sign-plugin.js';
import { checkSignedManifest, verifyPluginSignature } from './verify-plugin.js';

const release = keyPair();
const other = keyPair();
const SIGNED_AT = new Date('2026-05-01T12:00:00.000Z');
const signed = (options: Partial<Parameters<typeof signPlugin>[0]> = {}): PluginSignature =>
  signPlugin({
    module: MODULE,
    manifest: MANIFEST,
    privateKey: release.privateKeyPem,
    signedAt: SIGNED_AT,
    ...options,
  });
const text = (signature: PluginSignature) => formatSignature(signature);

/** The error of a failed result, after checking it failed with a SignatureError. */
function refusal<T>(result: SigningResult<T>): SignatureError {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.value)}`);
  expect(SignatureError.isInstance(result.error)).toBe(true);
  return result.error;
}

describe('signPlugin and the signature file', () => {
  it('covers the module sha256, id, version, requested permissions and signing time, and round-trips', () => {
    const signature = signed();
    expect(signature).toMatchObject({
      format: 'plinth-plugin-signature',
      format_version: 1,
      algorithm: 'ed25519',
      key_id: release.keyId,
      signed: {
        module_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        plugin_id: 'acme.notes',
        plugin_version: '1.2.0',
        requested_permissions: MANIFEST.requested_permissions,
        signed_at: '2026-05-01T12:00:00.000Z',
      },
    });
    expect(parseSignature(text(signature))).toEqual({ ok: true, value: signature });
  });

  it('records a manifest without requested permissions as null', () => {
    const signature = signed({
      manifest: { id: 'acme.notes', version: '1.2.0', requested_permissions: undefined },
    });
    expect(signature.signed.requested_permissions).toBeNull();
  });

  it('refuses bad options naming the option', () => {
    expect(() =>
      signed({ manifest: { id: 'Not An Id', version: '1.0.0', requested_permissions: undefined } }),
    ).toThrow(
      expect.objectContaining({ code: 'invalid_options', message: expect.stringContaining('manifest.id') }),
    );
    expect(() => signed({ privateKey: 'not a key' })).toThrow(
      expect.objectContaining({ code: 'invalid_signing_key' }),
    );
  });

  it.each([
    ['not JSON', '{', /is not a Plinth plugin signature: not JSON/],
    ['another format', JSON.stringify({ ...signed(), format: 'cosign' }), /at format: /],
    ['a missing field', JSON.stringify({ ...signed(), key_id: undefined }), /at key_id: /],
    ['an unknown field', JSON.stringify({ ...signed(), extra: 1 }), /Unrecognized key: "extra"/],
    [
      'a short signature',
      JSON.stringify({ ...signed(), signature: 'AAAA' }),
      /at signature: must be the base64 of a 64-byte/,
    ],
    [
      'a bad time',
      JSON.stringify({ ...signed(), signed: { ...signed().signed, signed_at: 'yesterday' } }),
      /at signed\.signed_at: must be an ISO 8601/,
    ],
    [
      'nesting 10,000 levels deep',
      `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
      /nested deeper than 256 levels/,
    ],
  ])('refuses a signature file with %s as signature_invalid, naming the file', (_what, content, message) => {
    const error = refusal(parseSignature(content, 'plugin.wasm.sig'));
    expect(error.code).toBe('signature_invalid');
    expect(error.path).toBe('plugin.wasm.sig');
    expect(error.message).toMatch(/^plugin\.wasm\.sig is not a Plinth plugin signature: /);
    expect(error.message).toMatch(message);
  });
});

describe('verifyPluginSignature', () => {
  const keys = trusting({ release }).keys;

  it('verifies the exact module with the trusted key, and names the key', () => {
    const result = verifyPluginSignature({
      signature: text(signed()),
      module: MODULE,
      keys,
      pluginId: 'acme.notes',
    });
    expect(result).toMatchObject({ ok: true, value: { keyId: release.keyId, keyName: 'release' } });
  });

  it('refuses a tampered module as signature_invalid', () => {
    const tampered = Uint8Array.from(MODULE);
    tampered[5] = (tampered[5] ?? 0) ^ 1;
    const error = refusal(verifyPluginSignature({ signature: signed(), module: tampered, keys }));
    expect(error).toMatchObject({
      code: 'signature_invalid',
      keyId: release.keyId,
      context: { pluginId: 'acme.notes' },
    });
    expect(error.message).toMatch(
      /^the module is not the one signed for acme\.notes 1\.2\.0: sha256 [0-9a-f]{64}, signed [0-9a-f]{64}$/,
    );
  });

  it('refuses any single changed byte of the module (property)', () => {
    const signature = signed();
    fc.assert(
      fc.property(fc.nat({ max: MODULE.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const changed = Uint8Array.from(MODULE);
        changed[at] = (changed[at] ?? 0) ^ flip;
        const result = verifyPluginSignature({ signature, module: changed, keys });
        return !result.ok && result.error.code === 'signature_invalid';
      }),
    );
  });

  it('refuses a signature file whose signed fields were edited as signature_invalid', () => {
    const edited = signed();
    edited.signed.plugin_version = '9.9.9';
    const error = refusal(verifyPluginSignature({ signature: text(edited), module: MODULE, keys }));
    expect(error.code).toBe('signature_invalid');
    expect(error.message).toContain(
      'does not verify: the signature file was altered or made with another key',
    );
  });

  it('refuses a signature by another key as signature_untrusted, naming its key id', () => {
    const error = refusal(
      verifyPluginSignature({ signature: signed({ privateKey: other.privateKeyPem }), module: MODULE, keys }),
    );
    expect(error).toMatchObject({ code: 'signature_untrusted', keyId: other.keyId });
    expect(error.message).toBe(`acme.notes 1.2.0 is signed by key ${other.keyId}, which is not trusted`);
  });

  it('refuses a signature moved to another plugin as signature_mismatch on plugin_id', () => {
    const error = refusal(
      verifyPluginSignature({ signature: signed(), module: MODULE, keys, pluginId: 'acme.other' }),
    );
    expect(error).toMatchObject({ code: 'signature_mismatch', field: 'plugin_id' });
    expect(error.message).toBe('the signature is for plugin acme.notes, not acme.other');
  });

  it('accepts the module sha256 in place of the bytes', () => {
    const sha256 = signed().signed.module_sha256;
    expect(verifyPluginSignature({ signature: signed(), module: { sha256 }, keys }).ok).toBe(true);
  });
});

describe('checkSignedManifest', () => {
  const verified = () => {
    const result = verifyPluginSignature({
      signature: signed(),
      module: MODULE,
      keys: trusting({ release }).keys,
    });
    if (!result.ok) throw result.error;
    return result.value;
  };

  it('accepts the manifest signed, also when its request is written with its defaults left out', () => {
    expect(checkSignedManifest(verified(), MANIFEST).ok).toBe(true);
    const sparse = signed({
      manifest: {
        ...MANIFEST,
        requested_permissions: { defaults: { read_files: { include: ['Daily'] } } } as never,
      },
    });
    const result = verifyPluginSignature({
      signature: sparse,
      module: MODULE,
      keys: trusting({ release }).keys,
    });
    if (!result.ok) throw result.error;
    const manifest = {
      ...MANIFEST,
      requested_permissions: { defaults: { read_files: { include: ['Daily'], exclude: [] } }, reasons: {} },
    };
    expect(checkSignedManifest(result.value, manifest).ok).toBe(true);
  });

  it.each([
    [
      'plugin_id',
      { id: 'acme.other' },
      'the signature is for plugin acme.notes, but the manifest says acme.other',
    ],
    [
      'plugin_version',
      { version: '1.3.0' },
      'the signature is for acme.notes 1.2.0, but the manifest says version 1.3.0',
    ],
    [
      'requested_permissions',
      { requested_permissions: { defaults: { read_files: { include: ['all'], exclude: [] } }, reasons: {} } },
      'the permissions acme.notes 1.2.0 requests differ from the ones signed',
    ],
  ])(
    'refuses a manifest whose %s differs from the signed one as signature_mismatch',
    (field, change, message) => {
      const error = refusal(checkSignedManifest(verified(), { ...MANIFEST, ...change }));
      expect(error).toMatchObject({ code: 'signature_mismatch', field });
      expect(error.message).toContain(message);
    },
  );

  it('refuses a signed older version replacing a newer one unless allowed, and takes upgrades', () => {
    const error = refusal(checkSignedManifest(verified(), MANIFEST, { runningVersion: '1.10.0' }));
    expect(error.code).toBe('downgrade_refused');
    expect(error.message).toBe(
      'acme.notes 1.2.0 (signed by "release") is older than 1.10.0, which it would replace; allow the downgrade explicitly to go back',
    );
    expect(
      checkSignedManifest(verified(), MANIFEST, { runningVersion: '1.10.0', allowDowngrade: true }).ok,
    ).toBe(true);
    expect(checkSignedManifest(verified(), MANIFEST, { runningVersion: '1.2.0' }).ok).toBe(true);
    expect(checkSignedManifest(verified(), MANIFEST, { runningVersion: '1.1.9' }).ok).toBe(true);
  });
});

describe('checkPluginSignature under a trust policy', () => {
  const check = (signature: string | undefined, trust: Parameters<typeof checkPluginSignature>[0]['trust']) =>
    checkPluginSignature({ signature, module: MODULE, trust, pluginId: 'acme.notes' });

  it('lets unsigned plugins load with a warning by default, silently when allowed, never when required', () => {
    expect(check(undefined, undefined)).toEqual({
      ok: true,
      value: { status: { state: 'unsigned', policy: 'warn' }, verified: undefined },
    });
    expect(check(undefined, trusting({}, { require_signature: false }))).toMatchObject({
      ok: true,
      value: { status: { state: 'unsigned', policy: 'allow' } },
    });
    const error = refusal(check(undefined, trusting({}, { require_signature: true })));
    expect(error.code).toBe('signature_required');
    expect(error.message).toContain(
      'acme.notes is unsigned, and the policy requires a signature (trust.require_signature)',
    );
    const perPlugin = refusal(
      check(undefined, trusting({}, { plugins: { 'acme.notes': { require_signature: true } } })),
    );
    expect(perPlugin.message).toContain('(trust.plugins.acme.notes.require_signature)');
    expect(
      check(
        undefined,
        trusting({}, { require_signature: true, plugins: { 'acme.notes': { require_signature: false } } }),
      ).ok,
    ).toBe(true);
  });

  it('says who signed a plugin signed by a trusted key', () => {
    expect(check(text(signed()), trusting({ release }))).toMatchObject({
      ok: true,
      value: {
        status: {
          state: 'signed',
          keyId: release.keyId,
          keyName: 'release',
          signedAt: '2026-05-01T12:00:00.000Z',
        },
        verified: { keyName: 'release' },
      },
    });
  });

  it('refuses a signed plugin when no key is trusted, and says how to trust it', () => {
    const error = refusal(check(text(signed()), undefined));
    expect(error.code).toBe('signature_untrusted');
    expect(error.message).toBe(
      `acme.notes 1.2.0 is signed by key ${release.keyId}, which is not trusted (no key is); add its public key to trust.keys of the policy to trust it`,
    );
  });

  it('refuses a key the policy trusts only for other plugins, saying for which', () => {
    const error = refusal(check(text(signed()), trusting({ release }, {}, { release: ['other.*'] })));
    expect(error.code).toBe('signature_untrusted');
    expect(error.message).toContain('; the policy trusts "release" only for other.*');
    expect(check(text(signed()), trusting({ release }, {}, { release: ['acme.*'] })).ok).toBe(true);
  });

  it('rotates keys: with two trusted keys both verify, and a removed key no longer does', () => {
    const byOld = text(signed());
    const byNew = text(signed({ privateKey: other.privateKeyPem }));
    const both = trusting({ release, next: other });
    expect(check(byOld, both)).toMatchObject({ ok: true, value: { status: { keyName: 'release' } } });
    expect(check(byNew, both)).toMatchObject({ ok: true, value: { status: { keyName: 'next' } } });
    const rotated = trusting({ next: other });
    expect(refusal(check(byOld, rotated)).code).toBe('signature_untrusted');
    expect(check(byNew, rotated).ok).toBe(true);
  });

  it('picks keys by the claimed id when the plugin id is not known yet (an install)', () => {
    const scoped = trusting({ release }, {}, { release: ['acme.*'] });
    const result = checkPluginSignature({ signature: text(signed()), module: MODULE, trust: scoped });
    expect(result.ok && result.value.verified?.signed.plugin_id).toBe('acme.notes');
  });
});
