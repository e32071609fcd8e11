import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostFileRules, insideWorkspace } from './host-files.js';

let base: string;

beforeEach(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-host-files-')));
  mkdirSync(join(base, '.plinth', 'plugins', 'acme.x'), { recursive: true });
  writeFileSync(join(base, '.plinth', 'plugins', 'acme.x', 'plugin.wasm'), 'module');
  writeFileSync(join(base, '.plinth', 'app.log'), 'log');
  writeFileSync(join(base, 'README.md'), '---\nplugins: {}\n---\n');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

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
      ].map((path) => join(base, path)),
      readOnly: [join(base, 'README.md')],
    });
  });

  it('refuses the workspace as the plugins root', () => {
    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-host-files-out-')));
    try {
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
