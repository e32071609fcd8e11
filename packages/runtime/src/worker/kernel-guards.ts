import type { CallContext } from '@extism/extism';

/**
 * Replacements for the rc13 kernel functions (`extism:host/env`) that turn a guest block into a string on
 * the worker's heap. rc13 decodes a `config_get`/`var_get`/`var_set` key and an `error_set` message
 * whole, and a worker that meets its heap limit with one large allocation aborts the whole process (Node
 * leaves it only ~16 MiB of slack) instead of ending with out_of_memory. Blocks themselves are
 * ArrayBuffers outside the heap, so bounding what becomes a string is enough.
 *
 * rc13 lets a host override any `extism:host/env` function through `functions`; it binds the plugin's
 * CallContext as the first argument. Logs need no guard: the worker leaves rc13's log level at `silent`,
 * so rc13 frees a log block without decoding it.
 */

export const KERNEL_NAMESPACE = 'extism:host/env';
/** The longest var or config key a guest may use; keys are strings on the worker's heap. */
export const KEY_MAX_BYTES = 4 * 1024;
/** An `error_set` message past this is cut, with a marker saying how long it was. */
export const ERROR_MAX_BYTES = 64 * 1024;
/** Starts the message of a var_set the guest is stopped for; isolated-errors maps it to maxVarBytes. */
export const VAR_LIMIT_MESSAGE = 'var_set: var memory limit exceeded';

export interface KernelGuardOptions {
  config: Readonly<Record<string, string>>;
  /** Counts keys and values; rc13 counts values only. */
  maxVarBytes: number;
}

type KernelFunction = (context: CallContext, ...args: bigint[]) => bigint | undefined;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function createKernelGuards(options: KernelGuardOptions): Record<string, KernelFunction> {
  const { config, maxVarBytes } = options;
  // A host may configure a longer key than KEY_MAX_BYTES; the guest can still read it.
  const configKeyMax = Math.max(
    KEY_MAX_BYTES,
    ...Object.keys(config).map((key) => encoder.encode(key).length),
  );
  /** Bytes charged per var key (key + value), and their sum, for the instance's lifetime like its vars. */
  const charged = new Map<string, number>();
  let varBytes = 0;

  return {
    config_get(context, addr = 0n) {
      const key = context.read(addr);
      if (key === null) return 0n;
      try {
        const bytes = key.bytes();
        // Too long to be a configured key: the answer rc13 gives a missing one, without decoding it.
        if (bytes.byteLength > configKeyMax) return 0n;
        const name = decoder.decode(bytes);
        return Object.hasOwn(config, name) ? context.store(config[name] ?? '') : 0n;
      } finally {
        freeBlock(context, addr);
      }
    },

    var_get(context, addr = 0n) {
      const key = context.read(addr);
      if (key === null) return 0n;
      try {
        const bytes = key.bytes();
        // No var can have a longer key (var_set refuses one), so it is missing.
        if (bytes.byteLength > KEY_MAX_BYTES) return 0n;
        const value = context.getVariable(decoder.decode(bytes));
        return value ? context.store(value.bytes()) : 0n;
      } finally {
        freeBlock(context, addr);
      }
    },

    var_set(context, addr = 0n, valueAddr = 0n) {
      const key = context.read(addr);
      // rc13 ignores a bad key or value address (it logs, at a level the worker never shows).
      if (key === null) return undefined;
      const keyBytes = key.bytes().byteLength;
      if (keyBytes > KEY_MAX_BYTES) {
        throw new Error(`var_set: the key is ${keyBytes} bytes; var keys are at most ${KEY_MAX_BYTES} bytes`);
      }
      const name = key.string();
      const previous = charged.get(name) ?? 0;
      if (valueAddr === 0n) {
        context.deleteVariable(name);
        charged.delete(name);
        varBytes -= previous;
        return undefined;
      }
      const value = context.read(valueAddr);
      if (value === null) return undefined;
      const bytes = value.bytes();
      const next = varBytes - previous + keyBytes + bytes.byteLength;
      // Stopping the guest, unlike rc13's error for the call, ends a guest that keeps trying.
      if (next > maxVarBytes) {
        throw new Error(
          `${VAR_LIMIT_MESSAGE}: ${next} bytes requested (keys and values), ${maxVarBytes} allowed`,
        );
      }
      // A copy: vars outlive the call's blocks.
      context.setVariable(name, bytes.slice());
      charged.set(name, keyBytes + bytes.byteLength);
      varBytes = next;
      return undefined;
    },

    error_set(context, addr = 0n) {
      const message = context.read(addr);
      if (message === null) throw new Error('cannot assign error to this block');
      // setError copies the text into a new block, which becomes the call's error as rc13's would.
      context.setError(new Error(truncatedText(message.bytes(), ERROR_MAX_BYTES)));
      return undefined;
    },
  };
}

/** The text of `bytes`, cut at a character boundary at most `max` bytes in, with a marker when cut. */
export function truncatedText(bytes: Uint8Array, max: number): string {
  if (bytes.byteLength <= max) return decoder.decode(bytes);
  let end = max;
  // Back up over UTF-8 continuation bytes so the cut never splits a character.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return `${decoder.decode(bytes.subarray(0, end))}… [truncated: ${bytes.byteLength} bytes]`;
}

/**
 * rc13's own `free`, which these replacements do not override: it keeps its kernel table on the
 * CallContext under a private symbol, and only it can release a block for reuse in the call's budget.
 */
function freeBlock(context: CallContext, addr: bigint): void {
  const table = Object.getOwnPropertySymbols(context).find((symbol) => symbol.description === 'env');
  const kernel = table && (context as unknown as Record<symbol, { free?: (addr: bigint) => void }>)[table];
  kernel?.free?.(addr);
}
