import { PlinthError, type PlinthErrorOptions, type SIGNING_ERROR_CODES } from '@plinth/protocol';

const MARKER = Symbol.for('plinth.signature-error');

/** A code a SignatureError may carry (one of SIGNING_ERROR_CODES in @plinth/protocol). */
export type SignatureErrorCode = (typeof SIGNING_ERROR_CODES)[number];

/** The signed field a `signature_mismatch` is about. */
export type SignedField = 'plugin_id' | 'plugin_version' | 'requested_permissions';

export interface SignatureErrorOptions extends PlinthErrorOptions {
  /** The key id of the signature or key concerned, when known. */
  keyId?: string;
  /** For `signature_mismatch`: which signed field differs. */
  field?: SignedField;
  /** The signature or key file concerned, when the caller named one. */
  path?: string;
}

/** A plugin signature or signing key that cannot be used; the code says why (see SIGNING_ERROR_CODES). */
export class SignatureError extends PlinthError {
  readonly [MARKER] = true;
  declare readonly code: SignatureErrorCode;
  readonly keyId: string | undefined;
  readonly field: SignedField | undefined;
  readonly path: string | undefined;

  constructor(code: SignatureErrorCode, message: string, options: SignatureErrorOptions = {}) {
    const { keyId, field, path, ...rest } = options;
    super(code, message, rest);
    this.name = 'SignatureError';
    this.keyId = keyId;
    this.field = field;
    this.path = path;
  }

  static override isInstance(value: unknown): value is SignatureError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}

/** What the pure functions of this package answer instead of throwing. */
export type SigningResult<T> = { ok: true; value: T } | { ok: false; error: SignatureError };
