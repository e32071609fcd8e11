// Moving bytes across the Extism boundary: the export's input and output, host-call blocks, errors.
import {
  alloc, error_set, free, input_length, input_load_u64, input_load_u8, length, load_u64, load_u8, output_set,
  store_u64, store_u8,
} from "./kernel";
import { decodeUtf8, encodeUtf8 } from "./utf8";

/** The current export's input, as bytes. */
export function inputBytes(): Uint8Array {
  const size = <i32>input_length();
  const bytes = new Uint8Array(size);
  let i = 0;
  for (; i + 8 <= size; i += 8) store<u64>(bytes.dataStart + <usize>i, input_load_u64(<u64>i));
  for (; i < size; i++) bytes[i] = input_load_u8(<u64>i);
  return bytes;
}

/** The current export's input, decoded as UTF-8 (invalid bytes become U+FFFD). */
export function inputString(): string {
  return decodeUtf8(inputBytes());
}

/** Copies bytes into a new kernel block of exactly their size; returns its handle. */
export function writeBlock(bytes: Uint8Array): u64 {
  const size = bytes.length;
  const handle = alloc(<u64>size);
  let i = 0;
  for (; i + 8 <= size; i += 8) store_u64(handle + <u64>i, load<u64>(bytes.dataStart + <usize>i));
  for (; i < size; i++) store_u8(handle + <u64>i, bytes[i]);
  return handle;
}

/** Reads a kernel block's bytes; handle 0 reads as empty. */
export function readBlock(handle: u64): Uint8Array {
  if (handle == 0) return new Uint8Array(0);
  const size = <i32>length(handle);
  const bytes = new Uint8Array(size);
  let i = 0;
  for (; i + 8 <= size; i += 8) store<u64>(bytes.dataStart + <usize>i, load_u64(handle + <u64>i));
  for (; i < size; i++) bytes[i] = load_u8(handle + <u64>i);
  return bytes;
}

/** Sets the export's output to exactly these bytes (rc13 returns the whole block, so size it exactly). */
export function outputBytes(bytes: Uint8Array): void {
  output_set(writeBlock(bytes), <u64>bytes.length);
}

/** Sets the export's output to a string, as UTF-8. */
export function outputString(text: string): void {
  outputBytes(encodeUtf8(text));
}

/**
 * Reports an error through Extism's `error_set`: the host's `call()` rejects with this message. Return
 * a non-zero code from the export afterwards; do not trap (a trap loses the message).
 */
export function setError(message: string): void {
  error_set(writeBlock(encodeUtf8(message)));
}

/** Calls a host function with raw bytes in and out, freeing both blocks. */
export function callHostBytes(fn: (handle: u64) => u64, input: Uint8Array): Uint8Array {
  const handle = writeBlock(input);
  const answer = fn(handle);
  free(handle);
  const bytes = readBlock(answer);
  if (answer != 0) free(answer);
  return bytes;
}

/** Calls a host function with a UTF-8 string in and out. */
export function callHost(fn: (handle: u64) => u64, input: string): string {
  return decodeUtf8(callHostBytes(fn, encodeUtf8(input)));
}
