/** A growable byte buffer for writing a module: bytes, slices, and LEB128 numbers. */
export class ByteSink {
  #buffer: Uint8Array;
  length = 0;

  constructor(capacity = 1024) {
    this.#buffer = new Uint8Array(Math.max(16, capacity));
  }

  #reserve(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buffer.subarray(0, this.length));
    this.#buffer = grown;
  }

  byte(value: number): this {
    this.#reserve(1);
    this.#buffer[this.length] = value;
    this.length += 1;
    return this;
  }

  bytes(values: Uint8Array | readonly number[]): this {
    this.#reserve(values.length);
    this.#buffer.set(values, this.length);
    this.length += values.length;
    return this;
  }

  /** Unsigned LEB128 of a u32. */
  u32(value: number): this {
    this.#reserve(5);
    let rest = value >>> 0;
    do {
      const low = rest & 0x7f;
      rest >>>= 7;
      this.#buffer[this.length] = rest === 0 ? low : low | 0x80;
      this.length += 1;
    } while (rest !== 0);
    return this;
  }

  /** Signed LEB128 of a non-negative safe integer (an `i64.const` operand). */
  s64(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new RangeError(`not a non-negative safe integer: ${value}`);
    this.#reserve(10);
    let rest = value;
    for (;;) {
      const low = rest % 128;
      rest = Math.floor(rest / 128);
      // Done once the rest is zero and the sign bit (0x40) of this byte is clear.
      if (rest === 0 && low < 0x40) {
        this.#buffer[this.length] = low;
        this.length += 1;
        return this;
      }
      this.#buffer[this.length] = low | 0x80;
      this.length += 1;
    }
  }

  /** A length-prefixed UTF-8 name. */
  name(text: string): this {
    const encoded = new TextEncoder().encode(text);
    return this.u32(encoded.length).bytes(encoded);
  }

  /** `id`, the size of `content`, then `content`: a section or a subsection. */
  section(id: number, content: ByteSink): this {
    return this.byte(id).u32(content.length).bytes(content.view());
  }

  view(): Uint8Array {
    return this.#buffer.subarray(0, this.length);
  }

  /** A copy that owns exactly its bytes. */
  toBytes(): Uint8Array<ArrayBuffer> {
    return this.#buffer.slice(0, this.length);
  }
}
