// Standard base64 (RFC 4648 §4, with padding), which is what every host function expects and answers.
import { Result, failure, success } from "./result";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Encodes bytes as standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  const n = bytes.length;
  const out = new Uint16Array(((n + 2) / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const v = (<u32>bytes[i] << 16) | (<u32>bytes[i + 1] << 8) | <u32>bytes[i + 2];
    out[o++] = <u16>ALPHABET.charCodeAt((v >> 18) & 63);
    out[o++] = <u16>ALPHABET.charCodeAt((v >> 12) & 63);
    out[o++] = <u16>ALPHABET.charCodeAt((v >> 6) & 63);
    out[o++] = <u16>ALPHABET.charCodeAt(v & 63);
  }
  const rest = n - i;
  if (rest > 0) {
    const v = (<u32>bytes[i] << 16) | (rest == 2 ? <u32>bytes[i + 1] << 8 : 0);
    out[o++] = <u16>ALPHABET.charCodeAt((v >> 18) & 63);
    out[o++] = <u16>ALPHABET.charCodeAt((v >> 12) & 63);
    out[o++] = rest == 2 ? <u16>ALPHABET.charCodeAt((v >> 6) & 63) : 0x3d;
    out[o++] = 0x3d;
  }
  return String.UTF16.decodeUnsafe(out.dataStart, <usize>o << 1);
}

function sextet(c: i32): i32 {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 26;
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 52;
  if (c == 0x2b) return 62;
  if (c == 0x2f) return 63;
  return -1;
}

/** Decodes standard base64 (padding required when the length is not a multiple of 4 is tolerated). */
export function decodeBase64(text: string): Result<Uint8Array> {
  let n = text.length;
  while (n > 0 && text.charCodeAt(n - 1) == 0x3d) n--;
  if (text.length - n > 2 || n % 4 == 1) return failure<Uint8Array>("invalid base64 length");
  const out = new Uint8Array((n * 3) / 4);
  let o = 0;
  let acc: u32 = 0;
  let bits = 0;
  for (let i = 0; i < n; i++) {
    const v = sextet(text.charCodeAt(i));
    if (v < 0) return failure<Uint8Array>("invalid base64 character at offset " + i.toString());
    acc = (acc << 6) | <u32>v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = <u8>((acc >> bits) & 0xff);
    }
  }
  return success<Uint8Array>(out);
}
