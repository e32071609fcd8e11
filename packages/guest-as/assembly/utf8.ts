// UTF-8 both ways, never trapping: invalid input bytes decode to U+FFFD, and lone surrogates encode to
// U+FFFD, so everything a guest sends is valid UTF-8 (AssemblyScript's String.UTF8 gives up on bad input).

/** Encodes a string as UTF-8 bytes; lone surrogates become U+FFFD. */
export function encodeUtf8(text: string): Uint8Array {
  const n = text.length;
  let size = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) size += 1;
    else if (c < 0x800) size += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < n && isLow(text.charCodeAt(i + 1))) {
      size += 4;
      i++;
    } else size += 3;
  }
  const out = new Uint8Array(size);
  let o = 0;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[o++] = <u8>c;
    } else if (c < 0x800) {
      out[o++] = <u8>(0xc0 | (c >> 6));
      out[o++] = <u8>(0x80 | (c & 0x3f));
    } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < n && isLow(text.charCodeAt(i + 1))) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00);
      i++;
      out[o++] = <u8>(0xf0 | (cp >> 18));
      out[o++] = <u8>(0x80 | ((cp >> 12) & 0x3f));
      out[o++] = <u8>(0x80 | ((cp >> 6) & 0x3f));
      out[o++] = <u8>(0x80 | (cp & 0x3f));
    } else {
      if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
      out[o++] = <u8>(0xe0 | (c >> 12));
      out[o++] = <u8>(0x80 | ((c >> 6) & 0x3f));
      out[o++] = <u8>(0x80 | (c & 0x3f));
    }
  }
  return out;
}

/** The UTF-8 byte length of a string (lone surrogates count as U+FFFD). */
export function utf8Length(text: string): i32 {
  return encodeUtf8(text).length;
}

function isLow(c: i32): bool {
  return c >= 0xdc00 && c < 0xe000;
}

function isCont(b: i32): bool {
  return (b & 0xc0) == 0x80;
}

/** Decodes UTF-8 bytes; each invalid or truncated sequence becomes one U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n == 0) return "";
  // At most one UTF-16 unit per input byte (4-byte sequences give 2 units).
  const units = new Uint16Array(n);
  let u = 0;
  let i = 0;
  while (i < n) {
    const b0 = <i32>bytes[i];
    if (b0 < 0x80) {
      units[u++] = <u16>b0;
      i++;
      continue;
    }
    // Widen the continuation bytes first: shifting a u8 would wrap to 8 bits.
    const b1 = i + 1 < n ? <i32>bytes[i + 1] : 0;
    const b2 = i + 2 < n ? <i32>bytes[i + 2] : 0;
    const b3 = i + 3 < n ? <i32>bytes[i + 3] : 0;
    let cp = -1;
    let used = 1;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      if (i + 1 < n && isCont(b1)) {
        cp = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
        used = 2;
      }
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      if (i + 2 < n && isCont(b1) && isCont(b2)) {
        const v = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
        if (v >= 0x800 && (v < 0xd800 || v > 0xdfff)) {
          cp = v;
          used = 3;
        }
      }
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      if (i + 3 < n && isCont(b1) && isCont(b2) && isCont(b3)) {
        const v = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
        if (v >= 0x10000 && v <= 0x10ffff) {
          cp = v;
          used = 4;
        }
      }
    }
    if (cp < 0) {
      units[u++] = 0xfffd;
      i++;
    } else if (cp >= 0x10000) {
      const v = cp - 0x10000;
      units[u++] = <u16>(0xd800 | (v >> 10));
      units[u++] = <u16>(0xdc00 | (v & 0x3ff));
      i += used;
    } else {
      units[u++] = <u16>cp;
      i += used;
    }
  }
  return String.UTF16.decodeUnsafe(units.dataStart, <usize>u << 1);
}
