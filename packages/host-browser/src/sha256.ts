import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/**
 * SHA-256 as lowercase hex, synchronously: the in-thread lane cannot wait for `crypto.subtle.digest`,
 * which only answers promises.
 */
export const sha256Hex = (bytes: Uint8Array): string => bytesToHex(sha256(bytes));
