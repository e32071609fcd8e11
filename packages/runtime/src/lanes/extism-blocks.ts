/**
 * The part of @extism/extism's `CallContext` Plinth's host functions use, named here so that the SDK's own
 * types stay out of Plinth's published declarations (they do not compile without `skipLibCheck`).
 */
export interface ExtismCallContext {
  read(address: bigint): { bytes(): Uint8Array } | null;
  store(value: string | Uint8Array): bigint;
}

/**
 * Reads a block of @extism/extism 2.0.0-rc13 (pinned exactly) without its `read()`: that builds a
 * `PluginOutput`, whose private-field emulation inserts into a WeakMap on every construction, and a host
 * function that reads its input per call paid ~1 µs for it (more than decoding and validating the request).
 * The block table is reached through the context's `get-block` method, found once by its symbol's
 * description; if a release renames it, `read()` is used instead and nothing but speed changes.
 */

type BlockGetter = (this: ExtismCallContext, index: number) => { buffer: ArrayBufferLike } | undefined;

let getBlock: BlockGetter | null | undefined;

function blockGetter(context: ExtismCallContext): BlockGetter | null {
  if (getBlock !== undefined) return getBlock;
  const prototype = Object.getPrototypeOf(context) as Record<symbol, unknown> | null;
  const symbol = prototype
    ? Object.getOwnPropertySymbols(prototype).find((candidate) => candidate.description === 'get-block')
    : undefined;
  const method = symbol === undefined ? undefined : prototype?.[symbol];
  getBlock = typeof method === 'function' ? (method as BlockGetter) : null;
  return getBlock;
}

const EMPTY = new Uint8Array(0);

/** The bytes of the block at `address` (a view, not a copy), or null when no such block exists. */
export function blockBytes(context: ExtismCallContext, address: bigint): Uint8Array | null {
  if (address === 0n) return EMPTY;
  const getter = blockGetter(context);
  if (getter === null) return context.read(address)?.bytes() ?? null;
  let block: { buffer: ArrayBufferLike } | undefined;
  try {
    block = getter.call(context, Number(address >> 48n));
  } catch {
    return null; // rc13 throws for an index it never allocated; read() answers null for it
  }
  if (!block) return null;
  return new Uint8Array(block.buffer);
}
