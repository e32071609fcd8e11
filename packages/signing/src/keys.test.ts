import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair, readPrivateKey, readPublicKey } from './keys.js';
import { SignatureError } from './signature-error.js';

describe('signing keys', () => {
  it('makes a key pair whose halves, in every accepted form, share one 16-hex-digit key id', () => {
    const pair = generateSigningKeyPair();
    expect(pair.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(pair.publicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(readPublicKey(pair.publicKey).keyId).toBe(pair.keyId);
    expect(readPublicKey(pair.publicKeyPem).keyId).toBe(pair.keyId);
    expect(readPublicKey(pair.publicKeyPem).base64).toBe(pair.publicKey);
    expect(readPrivateKey(pair.privateKeyPem).keyId).toBe(pair.keyId);
    expect(generateSigningKeyPair().keyId).not.toBe(pair.keyId);
  });

  it.each([
    [
      'not base64 of 32 bytes',
      'abc',
      /the public key is not an Ed25519 public key: expected base64 of 32 bytes/,
    ],
    [
      'an RSA key',
      generateKeyPairSync('rsa', { modulusLength: 1024 })
        .publicKey.export({ type: 'spki', format: 'pem' })
        .toString(),
      /the public key is a rsa key; plugin signatures use Ed25519/,
    ],
  ])('refuses a public key that is %s with invalid_signing_key', (_what, text, message) => {
    const error = (() => {
      try {
        readPublicKey(text);
      } catch (caught) {
        return caught;
      }
      throw new Error('expected a refusal');
    })();
    expect(SignatureError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_signing_key', message: expect.stringMatching(message) });
  });

  it('refuses a private key file that holds a public key or garbage, naming the file', () => {
    const pair = generateSigningKeyPair();
    expect(() => readPrivateKey(pair.publicKeyPem, 'ci.pub')).toThrow(
      expect.objectContaining({
        code: 'invalid_signing_key',
        path: 'ci.pub',
        message: expect.stringMatching(/^ci\.pub is not a PEM private key/),
      }),
    );
    expect(() => readPrivateKey('hello', 'key.pem')).toThrow(/key\.pem is not a PEM private key/);
  });
});
