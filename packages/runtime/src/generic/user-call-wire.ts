import type { WasmValue } from './user-functions.js';

/*
 * A user host function called from a guest that runs in another thread: the arguments and the bytes of
 * every block they name travel to the handler; the blocks it stores, its result and any failure travel
 * back. Blocks are snapshots: the handler reads what the guest had written when it made the call.
 *
 * Layout of both messages: a 4-byte little-endian header length, the header as JSON, then raw bytes.
 */

type WireValue = ['i64', string] | ['num', number];

interface RequestHeader {
  args: WireValue[];
  /** [argument index, byte length] of each block an i64 argument names, in order. */
  blocks: [number, number][];
}

interface AnswerHeader {
  /** Byte lengths of the blocks the handler stored, in order. */
  stores: number[];
  /** The handler's result; `store` marks one of its own stored blocks (by index). */
  result: WireValue | ['store', number] | null;
  /** Set when the handler failed: the guest's call fails, and the lane rejects with the host's error. */
  failed?: true;
}

/**
 * Whether an offset is where a block of @extism/extism starts: it addresses blocks as index << 48, and
 * reads any offset inside a block as the whole block, so anything else is refused before it is read.
 */
export const isBlockStart = (offset: bigint): boolean =>
  offset > 0n && offset < 1n << 64n && (offset & ((1n << 48n) - 1n)) === 0n;

/** Offsets a handler's `store` answers before the guest's side stores the blocks: 2^62 + index. */
export const STORE_TOKEN_BASE = 1n << 62n;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function pack(header: object, chunks: readonly Uint8Array[]): Uint8Array {
  const head = encoder.encode(JSON.stringify(header));
  const size = chunks.reduce((total, chunk) => total + chunk.length, 4 + head.length);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  let at = 4 + head.length;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function unpack<H>(payload: Uint8Array): { header: H; body: Uint8Array } {
  const length = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0, true);
  const header = JSON.parse(decoder.decode(payload.subarray(4, 4 + length))) as H;
  return { header, body: payload.subarray(4 + length) };
}

const toWire = (value: WasmValue): WireValue =>
  typeof value === 'bigint' ? ['i64', value.toString()] : ['num', value];
const fromWire = (value: WireValue): WasmValue => (value[0] === 'i64' ? BigInt(value[1]) : value[1]);

/** On the guest's side: the call's arguments, with the bytes of every block an i64 argument names. */
export function encodeUserRequest(
  args: readonly WasmValue[],
  readBlock: (offset: bigint) => Uint8Array | null,
): Uint8Array {
  const blocks: [number, number][] = [];
  const chunks: Uint8Array[] = [];
  args.forEach((arg, index) => {
    if (typeof arg !== 'bigint' || !isBlockStart(arg)) return;
    const bytes = readBlock(arg);
    if (bytes === null) return;
    blocks.push([index, bytes.length]);
    chunks.push(bytes);
  });
  return pack({ args: args.map(toWire), blocks } satisfies RequestHeader, chunks);
}

/** On the host's side: the arguments, and the blocks by offset. */
export function decodeUserRequest(payload: Uint8Array): {
  args: WasmValue[];
  blocks: Map<bigint, Uint8Array>;
} {
  const { header, body } = unpack<RequestHeader>(payload);
  const args = header.args.map(fromWire);
  const blocks = new Map<bigint, Uint8Array>();
  let at = 0;
  for (const [index, length] of header.blocks) {
    blocks.set(args[index] as bigint, body.slice(at, at + length));
    at += length;
  }
  return { args, blocks };
}

/** On the host's side: what the handler stored and answered. */
export function encodeUserAnswer(
  stores: readonly Uint8Array[],
  result: WasmValue | undefined,
  failed = false,
): Uint8Array {
  let wire: AnswerHeader['result'] = null;
  if (
    typeof result === 'bigint' &&
    result >= STORE_TOKEN_BASE &&
    result < STORE_TOKEN_BASE + BigInt(stores.length)
  ) {
    wire = ['store', Number(result - STORE_TOKEN_BASE)];
  } else if (result !== undefined) {
    wire = toWire(result);
  }
  const header: AnswerHeader = { stores: stores.map((store) => store.length), result: wire };
  if (failed) header.failed = true;
  return pack(header, stores);
}

/**
 * On the guest's side: stores the handler's blocks and answers its result with real offsets; throws when
 * the handler failed (the guest's call then fails; the host knows why).
 */
export function applyUserAnswer(
  payload: Uint8Array,
  store: (bytes: Uint8Array) => bigint,
): WasmValue | undefined {
  const { header, body } = unpack<AnswerHeader>(payload);
  if (header.failed) throw new Error('a host function failed');
  const offsets: bigint[] = [];
  let at = 0;
  for (const length of header.stores) {
    offsets.push(store(body.slice(at, at + length)));
    at += length;
  }
  const { result } = header;
  if (result === null) return undefined;
  if (result[0] === 'store') return offsets[result[1]];
  return fromWire(result);
}
