import { checkOptions } from '@plinth/protocol';
import { compileCacheOptionsSchema } from '../options/loading-options.js';

/**
 * Compiles each distinct module once. Compiling is the expensive step of loading (milliseconds for a
 * 64 KiB guest, against microseconds to instantiate), and a host often loads the same bytes many times:
 * an instance pool, a reload of an unchanged plugin, the same plugin in several workspaces.
 */
export interface CompileCache {
  /**
   * The compiled module for these bytes. `key` names exactly these bytes: their hex sha256, or (for bytes
   * derived from others, such as a metered module) the source's sha256 plus what was done to it, with the
   * bytes given as a function that is called only on a miss, so a warm load skips the derivation too. A
   * throw from that function propagates and caches nothing. Concurrent calls for the same key share one
   * compile; a failed compile is not cached, so the next call tries again.
   */
  compile(key: string, bytes: Uint8Array | (() => Uint8Array)): Promise<WebAssembly.Module>;
  /** A snapshot of the counters since the cache was created. */
  stats(): CompileCacheStats;
  /** Drops every module held (the next load of each compiles again); the counters keep counting. */
  clear(): void;
}

/** Counters of a `CompileCache`, for tuning `maxEntries`. */
export interface CompileCacheStats {
  /** Calls answered from the cache, including calls that joined a compile still in flight. */
  hits: number;
  /** Calls that started a compile. */
  misses: number;
  /** Modules held now (compiled or compiling). */
  entries: number;
  /** Entries dropped to stay within `maxEntries`. */
  evictions: number;
}

/** Options of `createCompileCache`. */
export interface CompileCacheOptions {
  /** Least recently used modules are dropped past this. Default 64. */
  maxEntries?: number;
  /** Replaces `WebAssembly.compile` (to count compiles, or to compile elsewhere). */
  compile?: (bytes: Uint8Array<ArrayBuffer>) => Promise<WebAssembly.Module>;
}

/** How many modules a compile cache keeps when `maxEntries` is not given. */
export const DEFAULT_COMPILE_CACHE_ENTRIES = 64;

/**
 * A compile cache of its own (an LRU keyed by sha256), for a host that wants to size or clear it apart from
 * the default one. Throws an OptionsError (`invalid_options`) on bad options.
 */
export function createCompileCache(options: CompileCacheOptions = {}): CompileCache {
  checkOptions('createCompileCache', compileCacheOptionsSchema, options);
  const maxEntries = options.maxEntries ?? DEFAULT_COMPILE_CACHE_ENTRIES;
  const compile = options.compile ?? ((bytes) => WebAssembly.compile(bytes));
  // A Map iterates in insertion order; re-inserting on every hit keeps the least recently used first.
  const entries = new Map<string, Promise<WebAssembly.Module>>();
  const counts = { hits: 0, misses: 0, evictions: 0 };

  return {
    compile(key, bytes) {
      const cached = entries.get(key);
      if (cached !== undefined) {
        counts.hits += 1;
        entries.delete(key);
        entries.set(key, cached);
        return cached;
      }
      const source = typeof bytes === 'function' ? bytes() : bytes;
      counts.misses += 1;
      const compiling = compile(toOwnedBuffer(source));
      entries.set(key, compiling);
      compiling.catch(() => {
        if (entries.get(key) === compiling) entries.delete(key);
      });
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
        counts.evictions += 1;
      }
      return compiling;
    },
    stats: () => ({ ...counts, entries: entries.size }),
    clear: () => entries.clear(),
  };
}

let shared: CompileCache | undefined;

/** The cache `loadModule` uses unless given another: one per JavaScript realm, created on first use. */
export function defaultCompileCache(): CompileCache {
  shared ??= createCompileCache();
  return shared;
}

/** Hex sha256 through WebCrypto, which Node 20, browsers and workers all provide. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', toOwnedBuffer(bytes)));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/** WebCrypto and WebAssembly.compile want an ArrayBuffer-backed view, not a SharedArrayBuffer one. */
export function toOwnedBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : Uint8Array.from(bytes);
}
