import { describe, expect, it } from 'vitest';
import { wat } from '../__fixtures__/wat.js';
import { createCompileCache, defaultCompileCache, sha256Hex } from './compile-cache.js';

const moduleExporting = (name: string) => wat(`(module (func (export "${name}")))`);

describe('createCompileCache', () => {
  it('compiles once per key and counts hits and misses', async () => {
    const cache = createCompileCache();
    const bytes = await moduleExporting('a');
    const key = await sha256Hex(bytes);
    const first = await cache.compile(key, bytes);
    expect(await cache.compile(key, bytes)).toBe(first);
    expect(WebAssembly.Module.exports(first)).toEqual([{ name: 'a', kind: 'function' }]);
    expect(cache.stats()).toEqual({ hits: 1, misses: 1, entries: 1, evictions: 0 });
  });

  it('shares an in-flight compile between concurrent callers', async () => {
    let release: () => void = () => undefined;
    let compiles = 0;
    const cache = createCompileCache({
      compile: async (bytes) => {
        compiles += 1;
        await new Promise<void>((resolve) => (release = resolve));
        return WebAssembly.compile(bytes);
      },
    });
    const bytes = await moduleExporting('a');
    const pending = [cache.compile('k', bytes), cache.compile('k', bytes), cache.compile('k', bytes)];
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1, entries: 1 });
    release();
    const [a, b, c] = await Promise.all(pending);
    expect(compiles).toBe(1);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('evicts the least recently used entry past maxEntries', async () => {
    const cache = createCompileCache({ maxEntries: 2 });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map(moduleExporting));
    if (!a || !b || !c) throw new Error('fixtures');
    const moduleA = await cache.compile('a', a);
    await cache.compile('b', b);
    await cache.compile('a', a); // a is now the most recently used
    await cache.compile('c', c); // evicts b
    expect(cache.stats()).toEqual({ hits: 1, misses: 3, entries: 2, evictions: 1 });
    expect(await cache.compile('a', a)).toBe(moduleA);
    await cache.compile('b', b);
    expect(cache.stats()).toEqual({ hits: 2, misses: 4, entries: 2, evictions: 2 });
  });

  it('does not keep a failed compile, so the next call tries again', async () => {
    let calls = 0;
    const cache = createCompileCache({
      compile: (bytes) => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('flaky')) : WebAssembly.compile(bytes);
      },
    });
    const bytes = await moduleExporting('a');
    await expect(cache.compile('k', bytes)).rejects.toThrow('flaky');
    expect(cache.stats().entries).toBe(0);
    await expect(cache.compile('k', bytes)).resolves.toBeInstanceOf(WebAssembly.Module);
    expect(cache.stats()).toMatchObject({ misses: 2, entries: 1 });
  });

  it('clear() empties it', async () => {
    const cache = createCompileCache();
    await cache.compile('a', await moduleExporting('a'));
    cache.clear();
    expect(cache.stats().entries).toBe(0);
  });

  it('refuses a maxEntries below 1', () => {
    expect(() => createCompileCache({ maxEntries: 0 })).toThrow(
      expect.objectContaining({
        code: 'invalid_options',
        message: 'createCompileCache: option `maxEntries` must be a positive whole number (got 0)',
      }),
    );
  });

  it('has one default cache per realm', () => {
    expect(defaultCompileCache()).toBe(defaultCompileCache());
  });
});

describe('sha256Hex', () => {
  it('matches the known digests', async () => {
    expect(await sha256Hex(new Uint8Array())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('hashes only the view, not the whole buffer', async () => {
    const buffer = new TextEncoder().encode('xxabcxx');
    expect(await sha256Hex(buffer.subarray(2, 5))).toBe(await sha256Hex(new TextEncoder().encode('abc')));
  });
});
