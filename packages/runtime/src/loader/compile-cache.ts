import { checkOptions } from '@plinth/protocol';
import { compileCacheOptionsSchema } from '../options/loading-options.js';

/**
 * Compiles each distinct module once. Compiling is the expensive step of loading (milliseconds for a
 * 64 KiB guest, against microseconds to instantiate), and a host often loads the same bytes many times:
 * an instance pool, a reload of an unchanged plugin, the same plugin in several workspaces.
 */
export interface CompileCache {
  /**
   * The compiled module for these bytes. `sha256` is the hex sha256 of exactly these bytes (the loader
   * already has it). Concurrent calls for the same bytes share one compile; a failed compile is not
   * cached, so the next call tries again.
   */
  compile(sha256: string, bytes: Uint8Array): Promise<WebAssembly.Module>;
  stats(): CompileCacheStats;
  clear(): void;
}

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

export interface CompileCacheOptions {
  /** Least recently used modules are dropped past this. Default 64. */
  maxEntries?: number;
  /** Replaces `WebAssembly.compile` (to count compiles, or to compile elsewhere). */
  compile?: (bytes: Uint8Array<ArrayBuffer>) => Promise<WebAssembly.Module>;
}

export const DEFAULT_COMPILE_CACHE_ENTRIES = 64;

export function createCompileCache(options: CompileCacheOptions = {}): CompileCache {
  checkOptions('createCompileCache', compileCacheOptionsSchema, options);
  const maxEntries = options.maxEntries ?? DEFAULT_COMPILE_CACHE_ENTRIES;
  const compile = options.compile ?? ((bytes) => WebAssembly.compile(bytes));
  // A Map iterates in insertion order; re-inserting on every hit keeps the least recently used first.
  const entries = new Map<string, Promise<WebAssembly.Module>>();
  const counts = { hits: 0, misses: 0, evictions: 0 };

  return {
    compile(sha256, bytes) {
      const cached = entries.get(sha256);
      if (cached !== undefined) {
        counts.hits += 1;
        entries.delete(sha256);
        entries.set(sha256, cached);
        return cached;
      }
      counts.misses += 1;
      const compiling = compile(toOwnedBuffer(bytes));
      entries.set(sha256, compiling);
      compiling.catch(() => {
        if (entries.get(sha256) === compiling) entries.delete(sha256);
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
