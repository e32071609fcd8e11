/**
 * The largest targets a check reads, in UTF-8 bytes. A longer target is refused (`invalid_target`) before
 * any other work, so a guest cannot make checks slow by sending huge targets; the same bounds apply to
 * policy scopes, where a longer scope could only match targets that are refused anyway.
 */
export const TARGET_LIMITS = Object.freeze({
  /** File paths (`PATH_MAX` on Linux), as passed, before normalization. */
  pathBytes: 4096,
  /** `http_requests` URLs. Only the host is matched; far above what HTTP servers accept in a request line. */
  urlBytes: 65_536,
  /** The host name of a URL once normalized (punycode, no trailing dot), as DNS allows. */
  hostBytes: 253,
  /** One label of that host name, as DNS allows. */
  labelBytes: 63,
  /** `execute_commands` targets, `<plugin_id>:<command>`. */
  commandBytes: 4096,
  /**
   * `namespaces` and `plugin_storage` targets: room for a namespace id and a 4,096-character key (the
   * runtime's key limit) in any script, so an over-long key gets the storage functions' own error.
   */
  keyBytes: 16_384,
});

// encodeInto is native and far cheaper than a loop over char codes; one scratch buffer serves every bound.
const encoder = new TextEncoder();
let scratch: Uint8Array | undefined;
const buffer = (): Uint8Array => (scratch ??= new Uint8Array(Math.max(...Object.values(TARGET_LIMITS))));

/** The UTF-8 length of `text` (a lone surrogate counts as the 3 bytes of U+FFFD, as TextEncoder writes it). */
export function utf8Length(text: string): number {
  const into = buffer();
  // In chunks that fit the buffer at 3 bytes per code unit, never splitting a surrogate pair.
  const chunk = Math.floor(into.length / 3);
  let bytes = 0;
  for (let start = 0; start < text.length;) {
    let end = Math.min(text.length, start + chunk);
    if (end < text.length && (text.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--;
    bytes += encoder.encodeInto(text.slice(start, end), into).written;
    start = end;
  }
  return bytes;
}

/**
 * Why `text` is refused for being longer than `maxBytes`, or `undefined`. UTF-8 needs between 1 and 3
 * bytes per UTF-16 code unit, so the string length alone settles most cases; only strings near the bound
 * are measured, and only refused ones exactly.
 */
export function sizeProblem(text: string, maxBytes: number, what: string): string | undefined {
  if (text.length * 3 <= maxBytes) return undefined;
  if (
    text.length <= maxBytes &&
    encoder.encodeInto(text, buffer().subarray(0, maxBytes)).read === text.length
  )
    return undefined;
  return `is ${utf8Length(text)} bytes; ${what} longer than ${maxBytes} bytes are refused`;
}
