import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAllowAllChecker } from '@plinth/permissions';
import { getHostFunction, type HostFunctionName } from '@plinth/protocol';
import type { HostAnswer, HostBundle, WorkspaceFileError } from '@plinth/host-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsBundle } from './fs-bundle.js';
import { createNodeWorkspaceFiles, TEMP_FILE_PREFIX } from './node-workspace-files.js';

let base: string;
let root: string;
let outside: string;

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-node-fs-')));
  root = join(base, 'workspace');
  outside = join(base, 'outside');
  mkdirSync(join(root, 'notes'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'notes', 'a.md'), 'inside');
  writeFileSync(join(outside, 'secret.txt'), 'TOP SECRET');
  writeFileSync(join(base, 'secret.txt'), 'PARENT SECRET');
  symlinkSync(outside, join(root, 'link-out'), 'dir');
  symlinkSync(join(outside, 'secret.txt'), join(root, 'secret-link.txt'));
  symlinkSync(join(outside, 'nothing-yet.txt'), join(root, 'dangling.txt'));
  symlinkSync(join(root, 'notes'), join(root, 'alias'), 'dir');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** Everything under a folder, as relative paths, with file contents: to prove nothing changed. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name);
    out[full.slice(dir.length + 1)] = entry.isFile()
      ? readFileSync(full, 'utf8')
      : entry.isDirectory()
        ? '<dir>'
        : '<link>';
  }
  return out;
}

const thrown = (run: () => unknown): WorkspaceFileError => {
  try {
    run();
  } catch (error) {
    return error as WorkspaceFileError;
  }
  throw new Error('expected a throw');
};

function call(bundle: HostBundle, name: HostFunctionName, request: object): string {
  const spec = getHostFunction(name);
  const decoded = spec.decodeRequest(JSON.stringify(request));
  if (!decoded.ok) return spec.failureOutput(decoded.error.message);
  const handler = bundle[name] as (request: unknown, context: object) => HostAnswer;
  const answer = handler(decoded.value, { pluginId: 'test.fs', exportName: 'handle_command' });
  return typeof answer === 'string' ? answer : spec.failureOutput((answer as { failure: string }).failure);
}

describe('createNodeWorkspaceFiles: containment by real path', () => {
  it('refuses reads through a symlinked folder or file that points outside', () => {
    const files = createNodeWorkspaceFiles({ root });
    expect(thrown(() => files.read('link-out/secret.txt'))).toMatchObject({
      reason: 'escape',
      message: '"link-out/secret.txt" resolves outside the workspace',
    });
    expect(thrown(() => files.read('secret-link.txt')).reason).toBe('escape');
    expect(thrown(() => files.hash('secret-link.txt')).reason).toBe('escape');
    expect(thrown(() => files.stat('link-out')).reason).toBe('escape');
    expect(thrown(() => files.listDir('link-out')).reason).toBe('escape');
    expect(thrown(() => files.list('link-out')).reason).toBe('escape');
  });

  it('refuses writes and deletes through outside links, creating and deleting nothing', () => {
    const files = createNodeWorkspaceFiles({ root });
    const before = tree(base);
    const bytes = new TextEncoder().encode('evil');
    expect(thrown(() => files.write('link-out/new.txt', bytes)).reason).toBe('escape');
    expect(thrown(() => files.write('link-out/deep/er/new.txt', bytes)).reason).toBe('escape');
    expect(thrown(() => files.write('secret-link.txt', bytes)).reason).toBe('escape');
    expect(thrown(() => files.delete('link-out/secret.txt')).reason).toBe('escape');
    expect(thrown(() => files.delete('secret-link.txt')).reason).toBe('escape');
    expect(tree(base)).toEqual(before);
  });

  it('refuses a dangling symlink, since where it leads is unknown', () => {
    const files = createNodeWorkspaceFiles({ root });
    expect(thrown(() => files.write('dangling.txt', new Uint8Array([1])))).toMatchObject({
      reason: 'escape',
      message:
        '"dangling.txt" resolves outside the workspace: it goes through a symbolic link that points nowhere',
    });
    expect(existsSync(join(outside, 'nothing-yet.txt'))).toBe(false);
  });

  it('follows symlinks that stay inside, and lists them without descending', () => {
    const files = createNodeWorkspaceFiles({ root });
    expect(new TextDecoder().decode(files.read('alias/a.md'))).toBe('inside');
    files.write('alias/b.md', new TextEncoder().encode('via alias'));
    expect(readFileSync(join(root, 'notes', 'b.md'), 'utf8')).toBe('via alias');
    expect(files.list('').sort()).toEqual(['alias', 'notes', 'notes/a.md', 'notes/b.md']);
    expect(files.listDir('alias').sort()).toEqual(['alias/a.md', 'alias/b.md']);
  });

  it('works when the root itself is reached through a symlink', () => {
    symlinkSync(root, join(base, 'root-link'), 'dir');
    const files = createNodeWorkspaceFiles({ root: join(base, 'root-link') });
    expect(new TextDecoder().decode(files.read('notes/a.md'))).toBe('inside');
    expect(thrown(() => files.read('link-out/secret.txt')).reason).toBe('escape');
  });

  it('refuses paths that are not normalized, whoever calls it', () => {
    const files = createNodeWorkspaceFiles({ root });
    for (const path of ['../secret.txt', '/etc/passwd', 'notes/../../secret.txt', 'a\\b', 'a//b', ''])
      expect(thrown(() => files.read(path)).reason).toBe('invalid_path');
  });

  it('refuses a root that does not exist', () => {
    expect(() => createNodeWorkspaceFiles({ root: join(base, 'missing') })).toThrow(
      /workspace root .* cannot be used/,
    );
  });
});

describe('createFsBundle: what the guest sees of escapes', () => {
  it('answers failure shapes and never content from outside', () => {
    const bundle = createFsBundle({ root, permissions: createAllowAllChecker() });
    expect(call(bundle, 'host_read_file', { path: 'link-out/secret.txt' })).toBe(
      '{"error":"host_read_file: \\"link-out/secret.txt\\" resolves outside the workspace"}',
    );
    expect(call(bundle, 'host_read_file', { path: `${base}/secret.txt` })).toBe(
      `{"error":"host_read_file: invalid path \\"${base}/secret.txt\\": is an absolute path outside the workspace root"}`,
    );
    expect(call(bundle, 'host_file_exists', { path: 'secret-link.txt' })).toBe('false');
    expect(call(bundle, 'host_hash_file', { path: 'secret-link.txt' })).toBe('');
    expect(call(bundle, 'host_write_file', { path: 'link-out/x.txt', content: 'x' })).toBe(
      'host_write_file: "link-out/x.txt" resolves outside the workspace',
    );
    expect(JSON.parse(call(bundle, 'host_list_files', { prefix: '' }))).toEqual([
      'alias',
      'notes',
      'notes/a.md',
    ]);
    expect(call(bundle, 'host_read_file', { path: `${root}/notes/a.md` })).toBe('inside');
  });
});

describe('createNodeWorkspaceFiles: atomic writes', () => {
  const leftovers = (dir: string) =>
    readdirSync(dir, { recursive: true }).filter((name) => String(name).includes(TEMP_FILE_PREFIX));

  it('replaces files whole, keeps their mode, creates parents and leaves no temp files', () => {
    const files = createNodeWorkspaceFiles({ root });
    chmodSync(join(root, 'notes', 'a.md'), 0o640);
    files.write('notes/a.md', new TextEncoder().encode('replaced'));
    files.write('new/deep/c.md', new TextEncoder().encode('created'));
    expect(readFileSync(join(root, 'notes', 'a.md'), 'utf8')).toBe('replaced');
    expect(statSync(join(root, 'notes', 'a.md')).mode & 0o777).toBe(0o640);
    expect(readFileSync(join(root, 'new', 'deep', 'c.md'), 'utf8')).toBe('created');
    expect(leftovers(root)).toEqual([]);
  });

  it('removes the temp file and keeps the old content when writing fails midway', () => {
    const files = createNodeWorkspaceFiles({ root });
    const notBytes = { length: 3 } as unknown as Uint8Array;
    expect(thrown(() => files.write('notes/a.md', notBytes))).toMatchObject({
      reason: 'io',
      path: 'notes/a.md',
    });
    expect(readFileSync(join(root, 'notes', 'a.md'), 'utf8')).toBe('inside');
    expect(leftovers(root)).toEqual([]);
  });

  it('never lists a temp file another writer left behind', () => {
    writeFileSync(join(root, 'notes', `${TEMP_FILE_PREFIX}0123`), 'partial');
    const files = createNodeWorkspaceFiles({ root });
    expect(files.listDir('notes')).toEqual(['notes/a.md']);
  });
});

describe('createNodeWorkspaceFiles: sizes and special files', () => {
  it('caps reads at maxReadBytes with a clear failure, while hashing still streams', () => {
    writeFileSync(join(root, 'big.txt'), '12345');
    const bundle = createFsBundle({ root, permissions: createAllowAllChecker(), maxReadBytes: 4 });
    expect(call(bundle, 'host_read_file', { path: 'big.txt' })).toBe(
      '{"error":"host_read_file: \\"big.txt\\" is too large: 5 bytes, over the read limit of 4 bytes"}',
    );
    expect(call(bundle, 'host_read_binary', { path: 'big.txt' })).toMatch(/is too large: 5 bytes/);
    expect(call(bundle, 'host_hash_file', { path: 'big.txt' })).toBe(
      '{"hash":"5994471abb01112afcc18159f6cc74b4f511b99806da59b3caf5a9c173cacfc5"}',
    );
    expect(() => createNodeWorkspaceFiles({ root, maxReadBytes: -1 })).toThrow(
      expect.objectContaining({
        code: 'invalid_options',
        message:
          'createNodeWorkspaceFiles: option `maxReadBytes` must be a whole number of bytes (0 or more) (got -1)',
      }),
    );
  });

  it('refuses to read a named pipe instead of blocking on it', () => {
    execFileSync('mkfifo', [join(root, 'pipe')]);
    const files = createNodeWorkspaceFiles({ root });
    expect(thrown(() => files.read('pipe'))).toMatchObject({
      reason: 'not_a_file',
      message: '"pipe" is not a file: not a regular file',
    });
    expect(thrown(() => files.hash('pipe')).reason).toBe('not_a_file');
  });
});
