import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { manifestOfDescription, readExtismDescription, scopeOfHostGlob } from './generic-plugin.js';

const dir = mkdtempSync(join(tmpdir(), 'plinth-extism-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tool = { name: 'count', export: 'count', description: 'Counts' };
async function read(content: unknown) {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return readExtismDescription(path, 'acme.x');
}

describe('extism.json', () => {
  it('is absent for a protocol plugin', async () => {
    expect(await readExtismDescription(join(dir, 'none.json'), 'acme.x')).toBeUndefined();
  });

  it('fills defaults', async () => {
    expect(await read({ name: 'X', version: '1.0.0', tools: [tool] })).toEqual({
      name: 'X',
      version: '1.0.0',
      description: '',
      allowed_hosts: [],
      allowed_paths: {},
      config: {},
      tools: [{ ...tool, input: 'json' }],
    });
  });

  it.each([
    ['{ not json', 'is not valid JSON'],
    [{ name: 'X', version: '1', tools: [tool] }, 'version: version must be a semantic version'],
    [{ name: 'X', version: '1.0.0', tools: [] }, 'tools: list at least one tool'],
    [{ name: 'X', version: '1.0.0', tools: [{ ...tool, name: 'Count!' }] }, 'tools.0.name: a tool name'],
    [{ name: 'X', version: '1.0.0', tools: [tool, tool] }, 'tools: "count" is listed twice'],
    [{ name: 'X', version: '1.0.0', tools: [tool], wasm: [] }, 'Unrecognized key'],
  ])('refuses %j with manifest_invalid naming the field', async (content, message) => {
    await expect(read(content)).rejects.toMatchObject({
      code: 'manifest_invalid',
      message: expect.stringContaining(message),
    });
  });

  it('asks for the hosts its allowed_hosts globs name and the file permissions its folders need', () => {
    expect(scopeOfHostGlob('api.example.com')).toBe('api.example.com');
    expect(scopeOfHostGlob('*.example.com')).toBe('example.com');
    expect(scopeOfHostGlob('*')).toBe('all');
    const manifest = manifestOfDescription('acme.x', {
      name: 'X',
      version: '1.0.0',
      description: '',
      allowed_hosts: ['*.example.com', 'example.com'],
      allowed_paths: { Daily: '/daily', 'ro:Notes': '/notes' },
      config: {},
      tools: [{ ...tool, input: 'json' }],
    });
    expect(manifest.requested_permissions?.defaults).toEqual({
      http_requests: { include: ['example.com'], exclude: [] },
      read_files: { include: ['Daily', 'Notes'], exclude: [] },
      edit_files: { include: ['Daily'], exclude: [] },
      create_files: { include: ['Daily'], exclude: [] },
      delete_files: { include: ['Daily'], exclude: [] },
    });
    expect(manifest.commands).toEqual(['count']);
  });
});
