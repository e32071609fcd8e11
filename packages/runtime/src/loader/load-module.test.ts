import { readFile } from 'node:fs/promises';
import { PlinthError } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { module, section, vector } from '../__fixtures__/wasm-bytes.js';
import { wat } from '../__fixtures__/wat.js';
import { createInThreadLane } from '../lanes/in-thread-lane.js';
import { resolveLimits } from '../limits.js';
import { createCompileCache } from './compile-cache.js';
import { LoadError } from './load-error.js';
import { loadModule, type LoadModuleOptions } from './load-module.js';
import type { ModuleSource } from './module-source.js';

// Read by path: runtime may not import @plinth/testkit (see STYLE.md layering).
const guests = new URL('../../../guests/corpus/', import.meta.url);
const guestBytes = async (path: string): Promise<Uint8Array<ArrayBuffer>> =>
  Uint8Array.from(await readFile(new URL(`${path}/plugin.wasm`, guests)));
const catalogue = JSON.parse(await readFile(new URL('guests.json', guests), 'utf8')) as {
  name: string;
  path: string;
  sha256: string;
  size: number;
}[];

/** The LoadError a load rejects with (fails the test if it resolves or rejects with anything else). */
async function refusal(source: ModuleSource, options: LoadModuleOptions = {}): Promise<LoadError> {
  const error: unknown = await loadModule(source, { cache: false, ...options }).then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  if (!LoadError.isInstance(error)) throw new Error(`expected a LoadError, got ${String(error)}`);
  expect(PlinthError.isInstance(error)).toBe(true);
  return error;
}

async function ping(bytes: Uint8Array, options: LoadModuleOptions): Promise<string> {
  const loaded = await loadModule({ bytes }, options);
  const lane = await createInThreadLane({ module: loaded.module, bundle: {}, limits: resolveLimits() });
  try {
    const request = JSON.stringify({ command: 'ping', params: null });
    const { output } = await lane.call('handle_command', request, { pluginId: 'test.ping', exportName: 'x' });
    return new TextDecoder().decode(output ?? new Uint8Array());
  } finally {
    await lane.close();
  }
}

describe('every guest in the corpus that should load, loads', () => {
  const loadable = catalogue.filter((guest) => !/import-|memory-unbounded|memory-too-large/.test(guest.name));

  /** Generic guests import the app's own host functions, which their host declares. */
  const userFunctions: Readonly<Record<string, LoadModuleOptions['userFunctions']>> = {
    'wat-kv': [
      { namespace: 'extism:host/user', name: 'kv_read' },
      { namespace: 'extism:host/user', name: 'kv_write' },
    ],
    'as-pdk': [
      { namespace: 'extism:host/user', name: 'kv_read' },
      { namespace: 'extism:host/user', name: 'kv_write' },
    ],
  };
  /** WASI guests need WASI allowed. */
  const wasi: ReadonlySet<string> = new Set(['wat-wasi']);

  it.each(loadable.map((guest) => [guest.name, guest] as const))('%s', async (_name, guest) => {
    const bytes = Uint8Array.from(await readFile(new URL(guest.path, guests)));
    const extra = userFunctions[guest.name];
    const loaded = await loadModule(
      { bytes },
      {
        sha256: guest.sha256,
        cache: false,
        ...(extra === undefined ? {} : { userFunctions: extra }),
        ...(wasi.has(guest.name) ? { allowWasi: true } : {}),
      },
    );
    expect(loaded.module).toBeInstanceOf(WebAssembly.Module);
    expect(loaded.sha256).toBe(guest.sha256);
    expect(loaded.size).toBe(guest.size);
    expect(loaded.exports.length).toBeGreaterThan(0);
    expect(loaded.exports).not.toContain('memory');
    expect(['unchanged', 'capped']).toContain(loaded.memory.action);
    expect(loaded.memory.effectiveMax).toBeLessThanOrEqual(256);
  });

  it('lists the protocol exports of a golden guest', async () => {
    const loaded = await loadModule({ bytes: await guestBytes('golden/wat-protocol') }, { cache: false });
    expect(loaded.exports).toEqual(expect.arrayContaining(['manifest', 'handle_command', 'init']));
    expect(loaded.memory).toMatchObject({ action: 'unchanged', declaredMax: 16, effectiveMax: 16 });
  });
});

describe('imports', () => {
  it.each([
    ['hostile-import-unknown', 'host_format_disk', 'extism:host/user', 'unknown_host_function'],
    ['hostile-import-env', 'abort', 'env', 'forbidden_namespace'],
    ['hostile-import-wasi', 'fd_write', 'wasi_snapshot_preview1', 'forbidden_namespace'],
  ])('%s is refused with import_not_allowed naming %s', async (guest, name, namespace, reason) => {
    const bytes = await guestBytes(`hostile/${guest}`);
    const error = await refusal({ bytes, origin: `hostile/${guest}` }, { pluginId: `hostile.${guest}` });
    expect(error.code).toBe('import_not_allowed');
    expect(error.context).toEqual({ pluginId: `hostile.${guest}` });
    expect(error.message).toContain(`Cannot load plugin hostile.${guest} from hostile/${guest}:`);
    expect(error.message).toContain(`"${name}" from "${namespace}"`);
    expect(error.problems).toEqual([expect.objectContaining({ module: namespace, name, reason })]);
  });

  it('allows WASI only when granted', async () => {
    const bytes = await guestBytes('hostile/hostile-import-wasi');
    await expect(loadModule({ bytes }, { allowWasi: true, cache: false })).resolves.toMatchObject({
      exports: expect.arrayContaining(['handle_command']) as unknown,
    });
  });

  it('lists every refused import in the message and in problems', async () => {
    const bytes = await wat(`(module
      (import "env" "abort" (func))
      (import "extism:host/user" "host_log" (func (param i64) (result i64)))
      (import "extism:host/user" "host_format_disk" (func (param i64) (result i64)))
      (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32))))`);
    const error = await refusal({ bytes });
    expect(error.code).toBe('import_not_allowed');
    expect(error.message).toMatch(/^Cannot load module: 3 imports are not allowed: /);
    for (const name of ['abort', 'host_format_disk', 'fd_write'])
      expect(error.message).toContain(`"${name}"`);
    expect(error.problems.map((problem) => problem.code === 'import_not_allowed' && problem.name)).toEqual([
      'abort',
      'host_format_disk',
      'fd_write',
    ]);
  });

  it('refuses a host function this host does not provide', async () => {
    const bytes = await wat(
      `(module (import "extism:host/user" "host_log" (func (param i64) (result i64))))`,
    );
    const error = await refusal({ bytes }, { hostFunctions: ['host_get_timestamp'] });
    expect(error.problems).toEqual([
      expect.objectContaining({ name: 'host_log', reason: 'unknown_host_function' }),
    ]);
  });
});

describe('memory', () => {
  it('caps hostile-memory-unbounded under "cap", and it then runs', async () => {
    const bytes = await guestBytes('hostile/hostile-memory-unbounded');
    const loaded = await loadModule({ bytes }, { limits: { memoryMaxPages: 64 }, cache: false });
    expect(loaded.memory).toEqual({
      action: 'capped',
      declaredMax: undefined,
      effectiveMax: 64,
      reason: 'it declares no maximum; rewritten to a maximum of 64 pages',
    });
    // The hash is of the source bytes, not of the rewritten module.
    expect(loaded.sha256).toBe(catalogue.find((guest) => guest.name === 'hostile-memory-unbounded')?.sha256);
    expect(await ping(bytes, { limits: { memoryMaxPages: 64 } })).toContain('pong');
  });

  it('refuses hostile-memory-unbounded under "refuse"', async () => {
    const bytes = await guestBytes('hostile/hostile-memory-unbounded');
    const error = await refusal(
      { bytes },
      { limits: { onUnboundedMemory: 'refuse' }, pluginId: 'hostile.m' },
    );
    expect(error.code).toBe('memory_refused');
    expect(error.context).toEqual({ pluginId: 'hostile.m', limit: 'memoryMaxPages' });
    expect(error.message).toBe(
      "Cannot load plugin hostile.m: The module's memory cannot run under the cap of 256 pages: it declares no maximum",
    );
    expect(error.problems).toEqual([expect.objectContaining({ reason: 'unbounded', limit: 256 })]);
  });

  it('caps hostile-memory-too-large from 65536 pages under "cap", and it then runs', async () => {
    const bytes = await guestBytes('hostile/hostile-memory-too-large');
    const loaded = await loadModule({ bytes }, { cache: false });
    expect(loaded.memory).toMatchObject({ action: 'capped', declaredMax: 65536, effectiveMax: 256 });
    expect(await ping(bytes, {})).toContain('pong');
  });

  it('refuses hostile-memory-too-large under "refuse", naming the declared maximum and the cap', async () => {
    const bytes = await guestBytes('hostile/hostile-memory-too-large');
    const error = await refusal({ bytes }, { limits: { onUnboundedMemory: 'refuse', memoryMaxPages: 100 } });
    expect(error.code).toBe('memory_refused');
    expect(error.message).toContain('its declared maximum of 65536 pages is above the cap');
    expect(error.message).toContain('cap of 100 pages');
    expect(error.problems).toEqual([expect.objectContaining({ reason: 'too_large', declaredMax: 65536 })]);
  });
});

describe('bad bytes', () => {
  it('refuses garbage with invalid_module', async () => {
    const error = await refusal({ bytes: new TextEncoder().encode('definitely not wasm') });
    expect(error.code).toBe('invalid_module');
    expect(error.message).toMatch(/^Cannot load module: not a valid WebAssembly module: /);
    expect(error.problems).toEqual([
      expect.objectContaining({ code: 'invalid_module', reason: 'bad_magic' }),
    ]);
  });

  it('refuses a well-formed module whose code the engine rejects with invalid_module', async () => {
    // One function whose body is `i32.add` on an empty stack: structurally fine, invalid code.
    const bytes = module(
      section(1, vector([[0x60, 0, 0]])),
      section(3, vector([[0]])),
      section(10, vector([[3, 0, 0x6a, 0x0b]])),
    );
    const error = await refusal({ bytes });
    expect(error.code).toBe('invalid_module');
    expect(error.message).toContain('the engine refused to compile it');
    expect(error.cause).toBeInstanceOf(WebAssembly.CompileError);
  });

  it('refuses a module over moduleMaxBytes before reading it', async () => {
    const bytes = await guestBytes('golden/c-protocol');
    const error = await refusal({ bytes }, { limits: { moduleMaxBytes: 1024 }, pluginId: 'big.one' });
    expect(error.code).toBe('module_too_large');
    expect(error.context).toEqual({ pluginId: 'big.one', limit: 'moduleMaxBytes' });
    expect(error.message).toBe(
      `Cannot load plugin big.one: The module is ${bytes.length} bytes, over the limit of 1024 bytes`,
    );
  });
});

describe('sha256 pinning', () => {
  const expected = () => catalogue.find((guest) => guest.name === 'c-protocol')?.sha256 ?? '';

  it('accepts a matching pin in either case', async () => {
    const bytes = await guestBytes('golden/c-protocol');
    await expect(
      loadModule({ bytes }, { sha256: expected().toUpperCase(), cache: false }),
    ).resolves.toMatchObject({
      sha256: expected(),
    });
  });

  it('refuses a mismatch with load_failed naming expected and actual', async () => {
    const bytes = await guestBytes('golden/c-protocol');
    const pin = 'ab'.repeat(32);
    const error = await refusal(
      { bytes, origin: 'c-protocol.wasm' },
      { sha256: pin, pluginId: 'plinth-golden.c' },
    );
    expect(error.code).toBe('load_failed');
    expect(error.message).toBe(
      `Cannot load plugin plinth-golden.c from c-protocol.wasm: sha256 mismatch: expected ${pin}, got ${expected()}`,
    );
  });

  it('refuses a pin that is not a sha256', async () => {
    const error = await refusal({ bytes: new Uint8Array() }, { sha256: 'abc' });
    expect(error.code).toBe('load_failed');
    expect(error.message).toContain('the sha256 pin "abc" is not 64 hex digits');
  });
});

describe('a compiled module source', () => {
  it('is refused unless trusted, since it cannot be checked', async () => {
    const compiled = await WebAssembly.compile(await guestBytes('golden/wat-protocol'));
    const error = await refusal({ module: compiled });
    expect(error.code).toBe('load_failed');
    expect(error.message).toContain('set trusted: true');
  });

  it('is accepted when trusted, with its memory unchecked and its exports listed', async () => {
    const compiled = await WebAssembly.compile(await guestBytes('golden/wat-protocol'));
    const loaded = await loadModule({ module: compiled }, { trusted: true });
    expect(loaded).toMatchObject({
      module: compiled,
      sha256: null,
      size: null,
      memory: { action: 'unchecked' },
    });
    expect(loaded.exports).toEqual(expect.arrayContaining(['manifest', 'handle_command']));
  });

  it('still has its imports validated when trusted', async () => {
    const compiled = await WebAssembly.compile(await guestBytes('hostile/hostile-import-env'));
    const error = await refusal({ module: compiled }, { trusted: true });
    expect(error.code).toBe('import_not_allowed');
    expect(error.problems).toEqual([expect.objectContaining({ module: 'env', name: 'abort' })]);
  });

  it('cannot be pinned', async () => {
    const compiled = await WebAssembly.compile(await guestBytes('golden/wat-protocol'));
    const error = await refusal({ module: compiled }, { trusted: true, sha256: 'ab'.repeat(32) });
    expect(error.message).toContain('a sha256 pin needs the module bytes');
  });
});

describe('the compile cache', () => {
  it('hits on the second load of the same bytes', async () => {
    const cache = createCompileCache();
    const bytes = await guestBytes('golden/c-protocol');
    const first = await loadModule({ bytes }, { cache });
    const second = await loadModule({ bytes: Uint8Array.from(bytes) }, { cache });
    expect(second.module).toBe(first.module);
    expect(cache.stats()).toEqual({ hits: 1, misses: 1, entries: 1, evictions: 0 });
  });

  it('shares one compile between concurrent loads', async () => {
    let compiles = 0;
    const cache = createCompileCache({
      compile: (bytes) => {
        compiles += 1;
        return WebAssembly.compile(bytes);
      },
    });
    const bytes = await guestBytes('golden/rust-protocol');
    const loads = await Promise.all(Array.from({ length: 8 }, () => loadModule({ bytes }, { cache })));
    expect(compiles).toBe(1);
    expect(new Set(loads.map((loaded) => loaded.module)).size).toBe(1);
    expect(cache.stats()).toMatchObject({ hits: 7, misses: 1, entries: 1 });
  });

  it('keys on the bytes after capping, so different caps compile different modules', async () => {
    const cache = createCompileCache();
    const bytes = await guestBytes('hostile/hostile-memory-unbounded');
    const at64 = await loadModule({ bytes }, { cache, limits: { memoryMaxPages: 64 } });
    const at128 = await loadModule({ bytes }, { cache, limits: { memoryMaxPages: 128 } });
    const again = await loadModule({ bytes }, { cache, limits: { memoryMaxPages: 64 } });
    expect(at128.module).not.toBe(at64.module);
    expect(again.module).toBe(at64.module);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, entries: 2 });
  });
});
