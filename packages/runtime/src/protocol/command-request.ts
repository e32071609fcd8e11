import type { JsonValue } from '@plinth/protocol';

const encoder = new TextEncoder();
/** Past this length TextEncoder's own speed outweighs its fixed cost per call. */
const SHORT_TEXT = 512;

/** The CommandRequest input of one command, as bytes a lane hands to the guest. */
export interface CommandRequestEncoder {
  /**
   * `JSON.stringify({ command, params })` as UTF-8. The bytes for `params: null` are made once and shared:
   * lanes copy their input before a guest sees it.
   */
  encode(params: JsonValue | null): Uint8Array<ArrayBuffer>;
}

/**
 * Encodes one command's requests without TextEncoder where it can: in Node 20 TextEncoder.encode (which
 * rc13 runs on a string input) costs ~0.5 µs whatever the size, ten times a lane's copy of cached bytes.
 */
export function createCommandRequestEncoder(command: string): CommandRequestEncoder {
  const name = JSON.stringify(command);
  const prefix = `{"command":${name},"params":`;
  const withNullParams = utf8Bytes(JSON.stringify({ command, params: null }));
  return {
    encode(params) {
      if (params === null) return withNullParams;
      // Undefined for a value JSON cannot hold (a function, say), which JSON.stringify leaves out.
      const encoded = JSON.stringify(params) as string | undefined;
      return utf8Bytes(encoded === undefined ? `{"command":${name}}` : `${prefix}${encoded}}`);
    },
  };
}

/** UTF-8 bytes of `text`; short ASCII text is copied in a loop, sparing TextEncoder's fixed cost. */
export function utf8Bytes(text: string): Uint8Array<ArrayBuffer> {
  const length = text.length;
  if (length > SHORT_TEXT) return encoder.encode(text);
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return encoder.encode(text);
    bytes[i] = code;
  }
  return bytes;
}
