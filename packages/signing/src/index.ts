// @plinth/signing: Ed25519 signatures for plugin modules — key pairs, detached signature files, and the
// check a host runs against its policy's `trust` section on every load.
export {
  SignatureError,
  type SignatureErrorCode,
  type SignedField,
  type SigningResult,
} from './signature-error.js';
export {
  generateSigningKeyPair,
  keyIdOf,
  readPrivateKey,
  readPublicKey,
  type PrivateSigningKey,
  type PublicSigningKey,
  type SigningKeyPair,
} from './keys.js';
export {
  formatSignature,
  parseSignature,
  signedMessage,
  SIGNATURE_ALGORITHM,
  SIGNATURE_FILE_MAX_BYTES,
  SIGNATURE_FILE_SUFFIX,
  SIGNATURE_FORMAT,
  SIGNATURE_FORMAT_VERSION,
  type PluginSignature,
  type SignedFields,
} from './signature-file.js';
export { signPlugin, type SignPluginOptions } from './sign-plugin.js';
export {
  checkDowngrade,
  checkSignedManifest,
  verifyPluginSignature,
  type CheckSignedManifestOptions,
  type VerifiedSignature,
  type VerifyPluginSignatureOptions,
} from './verify-plugin.js';
export {
  checkPluginSignature,
  type CheckPluginSignatureOptions,
  type PluginSignatureCheck,
  type SignatureStatus,
} from './check-plugin-signature.js';
