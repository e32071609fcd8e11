/*
 * Standard base64 without `node:` modules or Buffer (the main entry runs in browsers and workers), the one
 * copy every capability and the generic layer use.
 */

/** Encodes bytes, in chunks so large values do not overflow the argument stack. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }
  return btoa(binary);
}

/** Decodes text a schema has already checked to be base64 (`atob` throws on anything else). */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** Decodes text that may be anything: `undefined` unless it is standard, padded base64. */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  return decodeBase64(text);
}
