import type { WasmMalformation } from './module-problem.js';

/**
 * Thrown only inside the reader and always caught by `readWasmModule`, which turns it into a typed
 * result. A recursive-descent decoder is far clearer with one escape hatch than with a result per byte.
 */
export class WasmDecodeError extends Error {
  readonly reason: WasmMalformation;
  readonly offset: number;

  constructor(reason: WasmMalformation, message: string, offset: number) {
    super(message);
    this.name = 'WasmDecodeError';
    this.reason = reason;
    this.offset = offset;
  }
}

// fatal: a name that is not UTF-8 makes the module malformed; ignoreBOM: keep a leading U+FEFF in the name.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A bounded reader over `bytes[pos, end)`. Every read checks the bound first, so no read ever leaves the
 * window, and every read advances `pos` or fails, so no loop over a cursor can run forever.
 */
export class ByteCursor {
  readonly bytes: Uint8Array;
  readonly end: number;
  /** What is being read, for messages: "import section", "module header". */
  readonly context: string;
  pos: number;

  constructor(bytes: Uint8Array, pos: number, end: number, context: string) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
    this.context = context;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  fail(reason: WasmMalformation, what: string, offset: number = this.pos): never {
    throw new WasmDecodeError(reason, `${what} at offset ${offset} (in the ${this.context})`, offset);
  }

  /** A cursor over the next `size` bytes; this cursor moves past them. */
  sub(size: number, context: string): ByteCursor {
    if (size > this.remaining) {
      this.fail('unexpected_end', `${context} needs ${size} bytes but only ${this.remaining} remain`);
    }
    const child = new ByteCursor(this.bytes, this.pos, this.pos + size, context);
    this.pos += size;
    return child;
  }

  u8(what: string): number {
    const byte = this.bytes[this.pos];
    if (this.pos >= this.end || byte === undefined) {
      this.fail('unexpected_end', `unexpected end of input while reading ${what}`);
    }
    this.pos += 1;
    return byte;
  }

  /** An unsigned LEB128 of at most 32 bits, in at most 5 bytes. */
  u32(what: string): number {
    const start = this.pos;
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.u8(what);
      // The fifth byte carries bits 28-31; anything above, or a continuation, does not fit in a u32.
      if (shift === 28 && byte > 0x0f) {
        this.fail(
          'integer_overflow',
          `${what} (LEB128 u32 starting at offset ${start}) exceeds 32 bits`,
          this.pos - 1,
        );
      }
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  }

  /**
   * An unsigned LEB128 of at most 64 bits (memory64 limits). Values above 2^53 - 1 are refused: no valid
   * memory64 limit is that large (the spec caps them at 2^48 pages), and JavaScript numbers would round.
   */
  u64(what: string): number {
    const start = this.pos;
    let value = 0n;
    for (let shift = 0; ; shift += 7) {
      const byte = this.u8(what);
      if (shift === 63 && byte > 0x01) {
        this.fail(
          'integer_overflow',
          `${what} (LEB128 u64 starting at offset ${start}) exceeds 64 bits`,
          this.pos - 1,
        );
      }
      value |= BigInt(byte & 0x7f) << BigInt(shift);
      if (byte < 0x80) {
        if (value > MAX_SAFE) {
          this.fail('integer_overflow', `${what} (${value}) is larger than 2^53 - 1`, start);
        }
        return Number(value);
      }
    }
  }

  /** A signed LEB128 of 33 bits (a heap type index); only its extent matters to this reader. */
  s33(what: string): void {
    const start = this.pos;
    for (let shift = 0; ; shift += 7) {
      const byte = this.u8(what);
      // The fifth byte must end the number, and its bits 33 and 34 must repeat the sign bit (bit 32).
      if (shift === 28 && (byte & 0xf0) !== 0x00 && (byte & 0xf0) !== 0x70) {
        this.fail(
          'integer_overflow',
          `${what} (LEB128 s33 starting at offset ${start}) exceeds 33 bits`,
          this.pos - 1,
        );
      }
      if (byte < 0x80) return;
    }
  }

  /** A length-prefixed UTF-8 name. */
  name(what: string): string {
    const length = this.u32(`length of ${what}`);
    const start = this.pos;
    if (length > this.remaining) {
      this.fail('unexpected_end', `${what} is ${length} bytes long but only ${this.remaining} remain`);
    }
    this.pos += length;
    try {
      return utf8.decode(this.bytes.subarray(start, start + length));
    } catch {
      return this.fail('invalid_utf8', `${what} is not valid UTF-8`, start);
    }
  }
}
