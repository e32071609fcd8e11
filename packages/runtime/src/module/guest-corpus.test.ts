import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { capMemory } from './cap-memory.js';
import { inspectModule, type ModuleInspection } from './inspect-module.js';
import { validateImports } from './validate-imports.js';

// Read by path: runtime may not import @plinth/testkit (see STYLE.md layering).
const guests = new URL('../../../guests/corpus/', import.meta.url);
const load = async (path: string): Promise<Uint8Array<ArrayBuffer>> =>
  Uint8Array.from(await readFile(new URL(`${path}/plugin.wasm`, guests)));

async function inspect(
  path: string,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; inspection: ModuleInspection }> {
  const bytes = await load(path);
  const result = inspectModule(bytes);
  if (!result.ok) throw new Error(`${path}: ${result.problem.message}`);
  return { bytes, inspection: result.inspection };
}

const GOLDEN = ['as-http', 'as-notes', 'c-protocol', 'rust-protocol', 'wat-protocol'];

describe('golden guests', () => {
  it.each(GOLDEN)('%s reads, validates and runs under a 256-page cap', async (name) => {
    const { bytes, inspection } = await inspect(`golden/${name}`);
    expect(validateImports(inspection)).toEqual({ ok: true, problems: [] });
    expect(inspection.memory.source).toBe('defined');
    expect(inspection.exports).toContainEqual(expect.objectContaining({ name: 'memory', kind: 'memory' }));
    const capped = capMemory(bytes, { maxPages: 256, onUnbounded: 'cap', onTooLarge: 'cap' });
    expect(capped.ok).toBe(true);
    await expect(WebAssembly.compile(capped.bytes)).resolves.toBeInstanceOf(WebAssembly.Module);
  });
});

describe('hostile guests', () => {
  it.each([
    ['hostile-import-unknown', 'extism:host/user', 'host_format_disk', 'unknown_host_function'],
    ['hostile-import-env', 'env', 'abort', 'forbidden_namespace'],
    ['hostile-import-wasi', 'wasi_snapshot_preview1', 'fd_write', 'forbidden_namespace'],
  ])('%s is refused naming %s.%s', async (name, module, field, reason) => {
    const { inspection } = await inspect(`hostile/${name}`);
    expect(validateImports(inspection).problems).toEqual([
      expect.objectContaining({ code: 'import_not_allowed', module, name: field, kind: 'func', reason }),
    ]);
  });

  it('hostile-import-wasi passes once WASI is enabled', async () => {
    const { inspection } = await inspect('hostile/hostile-import-wasi');
    expect(validateImports(inspection, { allowWasi: true }).ok).toBe(true);
  });

  it('hostile-memory-unbounded is refused or capped, never left unbounded', async () => {
    const { bytes, inspection } = await inspect('hostile/hostile-memory-unbounded');
    expect(inspection.memory).toMatchObject({ source: 'defined', min: 1, max: undefined });
    expect(validateImports(inspection).ok).toBe(true);
    expect(capMemory(bytes, { maxPages: 256, onUnbounded: 'refuse', onTooLarge: 'refuse' })).toMatchObject({
      action: 'refused',
      problem: { code: 'memory_refused', reason: 'unbounded', limit: 256 },
    });
    const capped = capMemory(bytes, { maxPages: 256, onUnbounded: 'cap', onTooLarge: 'refuse' });
    expect(capped).toMatchObject({ action: 'capped', effectiveMax: 256 });
    await WebAssembly.compile(capped.bytes);
  });

  it('hostile-memory-too-large is refused or capped at the limit', async () => {
    const { bytes, inspection } = await inspect('hostile/hostile-memory-too-large');
    expect(inspection.memory).toMatchObject({ min: 1, max: 65536 });
    expect(capMemory(bytes, { maxPages: 256, onUnbounded: 'refuse', onTooLarge: 'refuse' })).toMatchObject({
      action: 'refused',
      declaredMax: 65536,
      problem: { reason: 'too_large', declaredMax: 65536, limit: 256 },
    });
    const capped = capMemory(bytes, { maxPages: 256, onUnbounded: 'refuse', onTooLarge: 'cap' });
    expect(capped).toMatchObject({ action: 'capped', declaredMax: 65536, effectiveMax: 256 });
    await WebAssembly.compile(capped.bytes);
  });

  it('hostile-memory-grow is capped below its declared 256 pages when the host cap is lower', async () => {
    const bytes = await load('hostile/hostile-memory-grow');
    expect(capMemory(bytes, { maxPages: 64, onUnbounded: 'refuse', onTooLarge: 'cap' })).toMatchObject({
      action: 'capped',
      declaredMax: 256,
      effectiveMax: 64,
    });
  });
});
