import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addGrant, createPolicyChecker } from '@plinth/permissions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRoot, waitFor } from '../directory/__fixtures__/plugins-root.js';
import { PolicyFileError } from './policy-file-error.js';
import { policyFromFile, policyFromFrontMatter, type PolicyFileSource } from './policy-file-source.js';

let dir: string;
let cleanup: () => Promise<void>;
const sources: PolicyFileSource[] = [];
beforeEach(async () => ({ root: dir, cleanup } = await makeRoot()));
afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.close()));
  await cleanup();
});

const yamlPolicy = (include: string) =>
  `plugins:\n  acme.x:\n    permissions:\n      read_files: { include: [${include}] }\n`;
const open = async (...args: Parameters<typeof policyFromFile>) => {
  const source = await policyFromFile(...args);
  sources.push(source);
  return source;
};

describe('policyFromFile', { timeout: 30_000 }, () => {
  it('serves the file to a policy checker and sees changes without a restart', async () => {
    const path = join(dir, 'policy.yaml');
    await writeFile(path, yamlPolicy('Daily'));
    const source = await open(path, { debounceMs: 20 });
    const checker = createPolicyChecker({ policy: source });
    const allowed = (target: string) =>
      checker.check({ pluginId: 'acme.x', type: 'read_files', target }).allowed;
    expect(allowed('Daily/a.md')).toBe(true);
    expect(allowed('Projects/a.md')).toBe(false);

    await writeFile(path, yamlPolicy('Projects'));
    await waitFor(() => allowed('Projects/a.md'), 'the changed policy');
    expect(allowed('Daily/a.md')).toBe(false);

    // Editors save by renaming a new file over the old one.
    await writeFile(join(dir, 'policy.yaml.new'), yamlPolicy('Archive'));
    await rename(join(dir, 'policy.yaml.new'), path);
    await waitFor(() => allowed('Archive/a.md'), 'the renamed-over policy');
  });

  it('keeps the last good policy when the file becomes invalid, reporting the file and field', async () => {
    const path = join(dir, 'policy.yaml');
    await writeFile(path, yamlPolicy('Daily'));
    const errors: PolicyFileError[] = [];
    const source = await open(path, { debounceMs: 20, onError: (error) => errors.push(error) });
    await writeFile(path, 'plugins:\n  acme.x:\n    permissions:\n      read_files: { include: [7] }\n');
    const error = await waitFor(() => errors[0], 'the policy error');
    expect(PolicyFileError.isInstance(error)).toBe(true);
    expect(error.file).toBe(path);
    expect(error.path).toEqual(['plugins', 'acme.x', 'permissions', 'read_files', 'include', 0]);
    expect(
      error.message.startsWith(`${path}: Invalid permission policy: plugin 'acme.x', read_files: `),
    ).toBe(true);
    expect(source.lastError).toBe(error);
    expect(source.current().resolve('acme.x', 'read_files', 'Daily/a.md').outcome).toBe('allowed');

    await writeFile(path, yamlPolicy('Projects'));
    await waitFor(
      () =>
        source.lastError === undefined &&
        source.current().resolve('acme.x', 'read_files', 'Projects/a.md').outcome === 'allowed',
      'recovery',
    );
  });

  it('starts from an empty policy when the file is missing, loads it once created, and revokes on delete', async () => {
    const path = join(dir, 'policy.json');
    const source = await open(path, { debounceMs: 20 });
    expect(source.current().policy).toEqual({ plugins: {} });
    await writeFile(
      path,
      JSON.stringify({
        plugins: { 'acme.x': { permissions: { http_requests: { include: ['example.com'] } } } },
      }),
    );
    await waitFor(
      () => source.current().resolve('acme.x', 'http_requests', 'example.com').outcome === 'allowed',
      'the created file',
    );
    await rm(path);
    await waitFor(() => Object.keys(source.current().policy.plugins).length === 0, 'the deletion');
  });

  it('throws at start when the file is invalid: there is no last good policy yet', async () => {
    const path = join(dir, 'policy.yml');
    await writeFile(path, 'plugins: [1, 2]\n');
    const error = await policyFromFile(path, { watch: false }).catch((caught: unknown) => caught);
    expect(PolicyFileError.isInstance(error)).toBe(true);
    expect((error as Error).message.startsWith(`${path}: Invalid permission policy: at plugins: `)).toBe(
      true,
    );
  });

  it('refuses an unknown extension', async () => {
    await expect(policyFromFile(join(dir, 'policy.toml'))).rejects.toThrow(
      /a policy file must end in \.yaml, \.yml or \.json \(got "\.toml"\)/,
    );
  });

  it('saves a grant: current at once, on disk, and read back the same', async () => {
    const path = join(dir, 'policy.yaml');
    await writeFile(path, '# grants\n' + yamlPolicy('Daily'));
    const changes: number[] = [];
    const source = await open(path, { debounceMs: 20, onChange: () => changes.push(1) });
    await source.save(
      addGrant(source.current().policy, { pluginId: 'acme.x', permission: 'edit_files', scope: 'Daily' }),
    );
    expect(source.current().resolve('acme.x', 'edit_files', 'Daily/a.md').outcome).toBe('allowed');
    expect(changes).toHaveLength(1);
    const text = await readFile(path, 'utf8');
    expect(text.startsWith('# grants\n')).toBe(true);
    expect(text).toContain('edit_files');
    await source.reload();
    expect(source.current().resolve('acme.x', 'edit_files', 'Daily/a.md').outcome).toBe('allowed');
  });
});

describe('policyFromFrontMatter', { timeout: 30_000 }, () => {
  it('reads the plugins key of a workspace README and follows its changes', async () => {
    const path = join(dir, 'README.md');
    const readme = (include: string) => `---\ntitle: Notes\n${yamlPolicy(include)}---\n# Notes\n`;
    await writeFile(path, readme('Daily'));
    const source = await policyFromFrontMatter(path, { debounceMs: 20 });
    sources.push(source);
    expect(source.current().resolve('acme.x', 'read_files', 'Daily/a.md').outcome).toBe('allowed');
    await writeFile(path, readme('Projects'));
    await waitFor(
      () => source.current().resolve('acme.x', 'read_files', 'Projects/a.md').outcome === 'allowed',
      'the new front matter',
    );

    await source.save(
      addGrant(source.current().policy, { pluginId: 'acme.x', permission: 'read_files', scope: 'Archive' }),
    );
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('---\n# Notes\n')).toBe(true);
    expect(text.startsWith('---\ntitle: Notes\n')).toBe(true);
  });
});
