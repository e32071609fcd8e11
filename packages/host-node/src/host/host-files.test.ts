import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkspaceFiles } from '@plinth/runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodeWorkspaceFiles } from '../fs/index.js';
import { guardHostFiles, hostFileRules, insideWorkspace } from './host-files.js';

let base: string;
let files: WorkspaceFiles;
const bytes = (text: string) => new TextEncoder().encode(text);

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-host-files-')));
  mkdirSync(join(base, '.plinth', 'plugins', 'acme.x'), { recursive: true });
  writeFileSync(join(base, '.plinth', 'plugins', 'acme.x', 'plugin.wasm'), 'module');
  writeFileSync(join(base, '.plinth', 'app.log'), 'log');
  writeFileSync(join(base, 'README.md'), '---\nplugins: {}\n---\n');
  writeFileSync(join(base, 'notes.md'), 'notes');
  files = guardHostFiles(createNodeWorkspaceFiles({ root: base }), {
    hidden: ['.plinth/plugins'],
    readOnly: ['README.md'],
  });
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('guardHostFiles', () => {
  it('makes hidden paths look absent, in any letter case', () => {
    expect(files.stat('.plinth/plugins/acme.x/plugin.wasm')).toBeUndefined();
    expect(files.stat('.PLINTH/Plugins')).toBeUndefined();
    expect(() => files.read('.plinth/plugins/acme.x/plugin.wasm')).toThrow(
      '".plinth/plugins/acme.x/plugin.wasm" does not exist',
    );
    expect(() => files.hash('.plinth/plugins/acme.x/plugin.wasm')).toThrow('does not exist');
    expect(() => files.listDir('.plinth/plugins')).toThrow('".plinth/plugins" does not exist');
    expect(files.list('.plinth/plugins')).toEqual([]);
    expect(files.list('').sort()).toEqual(['.plinth', '.plinth/app.log', 'README.md', 'notes.md']);
    expect(files.listDir('.plinth')).toEqual(['.plinth/app.log']);
    expect(files.stat('.plinth/app.log')).toMatchObject({ kind: 'file' });
  });

  it('refuses writes and deletes of hidden paths and of the read-only policy file, and allows the rest', () => {
    expect(() => files.write('.plinth/plugins/acme.x/plugin.wasm', bytes('evil'))).toThrow(
      'invalid path ".plinth/plugins/acme.x/plugin.wasm": reserved for the host',
    );
    expect(() => files.write('.plinth/plugins/acme.y/plugin.wasm', bytes('evil'))).toThrow(
      'reserved for the host',
    );
    expect(() => files.delete('.plinth/plugins/acme.x/plugin.wasm')).toThrow('reserved for the host');
    expect(() => files.write('readme.MD', bytes('plugins: all'))).toThrow(
      'invalid path "readme.MD": the policy file is read-only for plugins',
    );
    expect(() => files.delete('README.md')).toThrow('the policy file is read-only for plugins');
    expect(new TextDecoder().decode(files.read('README.md'))).toBe('---\nplugins: {}\n---\n');
    files.write('notes.md', bytes('changed'));
    expect(new TextDecoder().decode(files.read('notes.md'))).toBe('changed');
    expect(files.stat('.plinth/plugins/acme.y')).toBeUndefined();
  });
});

describe('hostFileRules', () => {
  const options = (extra: object = {}) => ({
    workspaceRoot: base,
    pluginsRoot: join(base, '.plinth', 'plugins'),
    policy: { frontMatter: join(base, 'README.md') },
    hostAppVersion: '1.0.0',
    ...extra,
  });

  it('hides the plugins root, the database and the extra paths inside the workspace; the policy is read-only', () => {
    const db = join(base, '.plinth', 'plugins', '.plinth', 'plinth.db');
    expect(
      hostFileRules(
        options({ hiddenPaths: ['.plinth/app.log', join(base, 'private')] }),
        base,
        join(base, '.plinth', 'plugins'),
        db,
      ),
    ).toEqual({
      hidden: [
        '.plinth/plugins',
        '.plinth/plugins/.plinth/plinth.db',
        '.plinth/plugins/.plinth/plinth.db-wal',
        '.plinth/plugins/.plinth/plinth.db-shm',
        '.plinth/plugins/.plinth/plinth.db-journal',
        '.plinth/app.log',
        'private',
      ],
      readOnly: ['README.md'],
    });
  });

  it('leaves out what is outside the workspace, and refuses the workspace as the plugins root', () => {
    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-host-files-out-')));
    try {
      expect(
        hostFileRules(
          options({ policy: { file: join(outside, 'policy.yaml') } }),
          base,
          outside,
          join(outside, 'x.db'),
        ),
      ).toEqual({ hidden: [], readOnly: [] });
      expect(() => hostFileRules(options(), base, base, join(outside, 'x.db'))).toThrow(
        `createNodeHost: the plugins root must not be the workspace root (${base}): plugins could rewrite each other`,
      );
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('compares real paths, so a symlinked spelling of the workspace still counts as inside', () => {
    const link = `${base}-link`;
    symlinkSync(base, link);
    try {
      expect(insideWorkspace(link, join(base, '.plinth', 'plugins'))).toBe('.plinth/plugins');
      expect(insideWorkspace(base, join(link, 'not-yet.db'))).toBe('not-yet.db');
      expect(insideWorkspace(base, join(base, '..', 'elsewhere'))).toBeUndefined();
      expect(insideWorkspace(base, join(base, '..x'))).toBe('..x'); // a name, not a parent
    } finally {
      rmSync(link);
    }
  });
});
