import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { LoadError } from './load-error.js';
import { loadModule, type LoadModuleOptions } from './load-module.js';
import type { ModuleSource } from './module-source.js';

const wasm = new URL('../../../guests/corpus/golden/wat-protocol/plugin.wasm', import.meta.url);
const guestBytes = async (): Promise<Uint8Array<ArrayBuffer>> => Uint8Array.from(await readFile(wasm));

async function refusal(source: ModuleSource, options: LoadModuleOptions = {}): Promise<LoadError> {
  const error: unknown = await loadModule(source, { cache: false, ...options }).then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  if (!LoadError.isInstance(error)) throw new Error(`expected a LoadError, got ${String(error)}`);
  return error;
}

describe('a URL source', () => {
  const serve =
    (body: BodyInit | null, init: ResponseInit = {}): typeof fetch =>
    () =>
      Promise.resolve(new Response(body, init));

  it('loads through the given fetch and names the URL in errors', async () => {
    const bytes = await guestBytes();
    const url = 'https://plugins.example/wat.wasm';
    await expect(loadModule({ url, fetch: serve(bytes) }, { cache: false })).resolves.toMatchObject({
      size: bytes.length,
    });
    const error = await refusal({ url, fetch: serve(bytes) }, { sha256: '00'.repeat(32) });
    expect(error.message).toMatch(
      /^Cannot load module from https:\/\/plugins\.example\/wat\.wasm: sha256 mismatch/,
    );
  });

  it('uses the global fetch by default (a data: URL here)', async () => {
    const bytes = await guestBytes();
    const url = `data:application/wasm;base64,${Buffer.from(bytes).toString('base64')}`;
    await expect(loadModule({ url }, { cache: false })).resolves.toMatchObject({ size: bytes.length });
  });

  it('refuses an HTTP error status with load_failed', async () => {
    const error = await refusal({ url: 'https://x.example/a.wasm', fetch: serve('nope', { status: 404 }) });
    expect(error.code).toBe('load_failed');
    expect(error.message).toBe('Cannot load module from https://x.example/a.wasm: the server answered 404');
  });

  it('refuses a failed request with load_failed, keeping the cause', async () => {
    const cause = new TypeError('fetch failed');
    const error = await refusal({
      url: new URL('https://x.example/a.wasm'),
      fetch: () => Promise.reject(cause),
    });
    expect(error.code).toBe('load_failed');
    expect(error.message).toContain('the request failed (fetch failed)');
    expect(error.cause).toBe(cause);
  });

  it('stops downloading past moduleMaxBytes, with or without a Content-Length', async () => {
    const big = new Uint8Array(4096);
    const limits = { moduleMaxBytes: 1000 };
    const declared = await refusal(
      { url: 'https://x.example/a.wasm', fetch: serve(big, { headers: { 'content-length': '4096' } }) },
      { limits },
    );
    expect(declared.code).toBe('module_too_large');
    expect(declared.message).toContain('the module is 4096 bytes, over the limit of 1000 bytes');
    const chunks = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(600));
      },
    });
    const streamed = await refusal({ url: 'https://x.example/a.wasm', fetch: serve(chunks) }, { limits });
    expect(streamed.code).toBe('module_too_large');
    expect(streamed.message).toContain(
      'the download passed the limit of 1000 bytes (stopped after 1200 bytes)',
    );
  });
});
