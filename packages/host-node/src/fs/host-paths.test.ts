import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkspaceFiles } from '@plinth/host-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodeWorkspaceFiles } from './node-workspace-files.js';

let base: string;
let files: WorkspaceFiles;
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const wasm = () => join(base, '.plinth', 'plugins', 'acme.x', 'plugin.wasm');

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-host-paths-')));
  mkdirSync(join(base, '.plinth', 'plugins', 'acme.x', '.plinth'), { recursive: true });
  writeFileSync(wasm(), 'module');
  writeFileSync(join(base, '.plinth', 'plugins', 'acme.x', '.plinth', 'plinth.db'), 'secrets');
  mkdirSync(join(base, 'logs'));
  writeFileSync(join(base, 'logs', 'app.log'), 'log');
  writeFileSync(join(base, 'README.md'), '---\nplugins: {}\n---\n');
  writeFileSync(join(base, 'notes.md'), 'notes');
  files = createNodeWorkspaceFiles({
    root: base,
    hostPaths: { hidden: ['.plinth/plugins', join(base, 'logs', 'app.log')], readOnly: ['README.md'] },
  });
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('createNodeWorkspaceFiles: host paths', () => {
  it('makes hidden paths look absent, in any letter case', () => {
    expect(files.stat('.plinth/plugins/acme.x/plugin.wasm')).toBeUndefined();
    expect(files.stat('.PLINTH/Plugins')).toBeUndefined();
    expect(() => files.read('.plinth/plugins/acme.x/plugin.wasm')).toThrow(
      '".plinth/plugins/acme.x/plugin.wasm" does not exist',
    );
    expect(() => files.hash('.plinth/plugins/acme.x/plugin.wasm')).toThrow('does not exist');
    expect(() => files.listDir('.plinth/plugins')).toThrow('".plinth/plugins" does not exist');
    expect(files.list('.plinth/plugins')).toEqual([]);
  });

  it('hides a folder that holds nothing but host files, name included, until a plugin file appears in it', () => {
    // `.plinth` holds only the plugins root; `logs` only a hidden log.
    expect(files.list('').sort()).toEqual(['README.md', 'notes.md']);
    expect(files.stat('.plinth')).toBeUndefined();
    expect(files.stat('logs')).toBeUndefined();
    expect(() => files.listDir('.plinth')).toThrow('".plinth" does not exist');
    expect(files.listDir('').sort()).toEqual(['README.md', 'notes.md']);
    files.write('logs/mine.md', bytes('mine'));
    expect(files.list('').sort()).toEqual(['README.md', 'logs', 'logs/mine.md', 'notes.md']);
    expect(files.listDir('logs')).toEqual(['logs/mine.md']);
  });

  it('does not loop on a symlink inside a host folder that leads back to it', () => {
    symlinkSync(join(base, '.plinth'), join(base, '.plinth', 'self'), 'dir');
    expect(files.stat('.plinth')).toBeUndefined();
    expect(files.list('').sort()).toEqual(['README.md', 'notes.md']);
  });

  it('refuses writes and deletes of hidden paths and of read-only files, and allows the rest', () => {
    expect(() => files.write('.plinth/plugins/acme.x/plugin.wasm', bytes('evil'))).toThrow(
      'invalid path ".plinth/plugins/acme.x/plugin.wasm": reserved for the host',
    );
    expect(() => files.write('.plinth/plugins/acme.y/plugin.wasm', bytes('evil'))).toThrow(
      'reserved for the host',
    );
    expect(() => files.delete('.plinth/plugins/acme.x/plugin.wasm')).toThrow('reserved for the host');
    expect(() => files.write('readme.MD', bytes('plugins: all'))).toThrow(
      'invalid path "readme.MD": read-only for plugins',
    );
    expect(() => files.delete('README.md')).toThrow('read-only for plugins');
    expect(text(files.read('README.md'))).toBe('---\nplugins: {}\n---\n');
    files.write('notes.md', bytes('changed'));
    expect(text(files.read('notes.md'))).toBe('changed');
    expect(existsSync(join(base, '.plinth', 'plugins', 'acme.y'))).toBe(false);
  });

  // Issue #12, item 1: symlinks inside the workspace (a synced folder or a git checkout can hold them).
  describe('symlink aliases of host files', () => {
    beforeEach(() => {
      symlinkSync(join(base, '.plinth'), join(base, 'plinth-alias'), 'dir');
      symlinkSync(join(base, '.plinth', 'plugins', 'acme.x', '.plinth', 'plinth.db'), join(base, 'db-alias'));
      symlinkSync(join(base, 'README.md'), join(base, 'readme-alias'));
      symlinkSync(join(base, '.plinth', 'plugins'), join(base, 'plugins-alias'), 'dir');
    });

    it('cannot read the database or a module through an alias', () => {
      expect(() => files.read('db-alias')).toThrow('"db-alias" does not exist');
      expect(() => files.hash('db-alias')).toThrow('does not exist');
      expect(files.stat('db-alias')).toBeUndefined();
      expect(() => files.read('plugins-alias/acme.x/plugin.wasm')).toThrow('does not exist');
      expect(() => files.read('plinth-alias/plugins/acme.x/.plinth/plinth.db')).toThrow('does not exist');
      expect(files.stat('plinth-alias/plugins')).toBeUndefined();
      expect(files.stat('plinth-alias')).toBeUndefined();
    });

    it('cannot overwrite a module, plant a plugin or replace the policy through an alias', () => {
      expect(() => files.write('plugins-alias/acme.x/plugin.wasm', bytes('evil'))).toThrow(
        'reserved for the host',
      );
      expect(() => files.write('plinth-alias/plugins/acme.evil/plugin.wasm', bytes('evil'))).toThrow(
        'reserved for the host',
      );
      expect(() => files.write('readme-alias', bytes('plugins: all'))).toThrow('read-only for plugins');
      expect(() => files.delete('plugins-alias/acme.x/plugin.wasm')).toThrow('reserved for the host');
      expect(() => files.delete('readme-alias')).toThrow('read-only for plugins');
      expect(() => files.delete('db-alias')).toThrow('reserved for the host');
      expect(readFileSync(wasm(), 'utf8')).toBe('module');
      expect(existsSync(join(base, '.plinth', 'plugins', 'acme.evil'))).toBe(false);
      expect(readFileSync(join(base, 'README.md'), 'utf8')).toBe('---\nplugins: {}\n---\n');
    });

    it('lists no alias that leads to a host file, and nothing below one', () => {
      expect(files.list('').sort()).toEqual(['README.md', 'notes.md', 'readme-alias']);
      expect(files.list('plinth-alias')).toEqual([]);
      expect(files.list('plugins-alias')).toEqual([]);
      expect(() => files.listDir('plugins-alias')).toThrow('does not exist');
      expect(text(files.read('readme-alias'))).toBe('---\nplugins: {}\n---\n');
    });
  });
});
