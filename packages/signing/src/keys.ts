import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { SignatureError } from './signature-error.js';

/** A public key ready to verify with, and its key id. */
export interface PublicSigningKey {
  keyId: string;
  /** Base64 of the 32 raw key bytes: the form a policy's `trust.keys[].public_key` takes. */
  base64: string;
  key: KeyObject;
}

/** A private key ready to sign with, and the key id of its public half. */
export interface PrivateSigningKey {
  keyId: string;
  key: KeyObject;
}

/** A fresh key pair, as text to store: PEM for both halves, and the public key's base64 for a policy. */
export interface SigningKeyPair {
  keyId: string;
  publicKey: string;
  publicKeyPem: string;
  privateKeyPem: string;
}

const KEY_ID_HEX_DIGITS = 16;
const RAW_KEY_BYTES = 32;

/**
 * The key id of an Ed25519 public key: the first 16 hex digits of the sha256 of its 32 raw bytes. Short
 * enough to show, long enough (64 bits) that two keys of one policy do not share it by chance.
 */
export function keyIdOf(key: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(key)).digest('hex').slice(0, KEY_ID_HEX_DIGITS);
}

function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.from(jwk.x ?? '', 'base64url');
}

/**
 * Makes a new Ed25519 key pair: its key id, the public key as base64 and PEM (for a policy's `trust.keys`),
 * and the private key as PEM (keep it secret).
 */
export function generateSigningKeyPair(): SigningKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    keyId: keyIdOf(publicKey),
    publicKey: rawPublicKey(publicKey).toString('base64'),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

const describe = (where: string | undefined): string => (where === undefined ? 'the public key' : where);

/**
 * Reads an Ed25519 public key: base64 of its 32 raw bytes, or a PEM `PUBLIC KEY` block. Throws
 * `SignatureError` `invalid_signing_key` naming `where` (a file, or `trust.keys[1]`) otherwise.
 */
export function readPublicKey(text: string, where?: string): PublicSigningKey {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    if (trimmed.startsWith('-----BEGIN')) {
      key = createPublicKey({ key: trimmed, format: 'pem' });
    } else {
      const raw = Buffer.from(trimmed, 'base64');
      if (raw.length !== RAW_KEY_BYTES || raw.toString('base64') !== trimmed) {
        throw new Error(`expected base64 of ${RAW_KEY_BYTES} bytes or a PEM PUBLIC KEY block`);
      }
      key = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
        format: 'jwk',
      });
    }
  } catch (error) {
    throw new SignatureError(
      'invalid_signing_key',
      `${describe(where)} is not an Ed25519 public key: ${(error as Error).message}`,
      { cause: error, ...(where === undefined ? {} : { path: where }) },
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SignatureError(
      'invalid_signing_key',
      `${describe(where)} is a ${key.asymmetricKeyType ?? 'unknown'} key; plugin signatures use Ed25519`,
      where === undefined ? {} : { path: where },
    );
  }
  return { keyId: keyIdOf(key), base64: rawPublicKey(key).toString('base64'), key };
}

/** Reads an Ed25519 private key from PEM (PKCS #8, as `generateSigningKeyPair` writes it). */
export function readPrivateKey(text: string, where?: string): PrivateSigningKey {
  const name = where ?? 'the private key';
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch (error) {
    throw new SignatureError(
      'invalid_signing_key',
      `${name} is not a PEM private key: ${(error as Error).message}`,
      { cause: error, ...(where === undefined ? {} : { path: where }) },
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SignatureError(
      'invalid_signing_key',
      `${name} is a ${key.asymmetricKeyType ?? 'unknown'} key; plugin signatures use Ed25519`,
      where === undefined ? {} : { path: where },
    );
  }
  return { keyId: keyIdOf(createPublicKey(key)), key };
}
