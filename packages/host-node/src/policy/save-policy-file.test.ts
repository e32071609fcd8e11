import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Policy } from '@plinth/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRoot } from '../directory/__fixtures__/plugins-root.js';
import { applyManifestDefaults } from './install-defaults.js';
import { parsePolicyText } from './parse-policy-text.js';
import { PolicyFileError } from './policy-file-error.js';
import { savePolicyFile } from './save-policy-file.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ root: dir, cleanup } = await makeRoot()));
afterEach(() => cleanup());

const policy: Policy = {
  plugins: { 'acme.x': { permissions: { read_files: { include: ['Daily'], exclude: ['Daily/private'] } } } },
};
const BODY = '# Notes\r\n\r\nTrailing spaces   \n\tand tabs, ünïcode 🌍, no final newline';

describe('savePolicyFile', () => {
  it('rewrites only the front matter and keeps the markdown body byte for byte', async () => {
    const path = join(dir, 'README.md');
    await writeFile(path, `---\ntitle: My notes # a comment\ntags: [a, b]\nplugins: {}\n---\n${BODY}`);
    await savePolicyFile(path, policy);
    const text = await readFile(path, 'utf8');
    expect(text.endsWith(`\n---\n${BODY}`)).toBe(true);
    expect(text).toContain('title: My notes # a comment\n');
    expect(text).toContain('tags: [ a, b ]\n');
    expect(parsePolicyText(text, 'front-matter', path).policy).toEqual(
      parsePolicyText(JSON.stringify(policy), 'document', 'x.json').policy,
    );
  });

  it('adds front matter to a markdown file without one', async () => {
    const path = join(dir, 'README.md');
    await writeFile(path, BODY);
    await savePolicyFile(path, policy);
    const text = await readFile(path, 'utf8');
    expect(text.startsWith('---\nplugins:\n')).toBe(true);
    expect(text.endsWith(`---\n${BODY}`)).toBe(true);
    expect(
      parsePolicyText(text, 'front-matter', path).resolve('acme.x', 'read_files', 'Daily/a.md').outcome,
    ).toBe('allowed');
  });

  it('keeps the comments and other keys of a YAML policy file', async () => {
    const path = join(dir, 'policy.yaml');
    await writeFile(path, '# my policy\nversion: 3\nplugins: {}\n');
    await savePolicyFile(path, policy);
    const text = await readFile(path, 'utf8');
    expect(text.startsWith('# my policy\nversion: 3\nplugins:\n')).toBe(true);
    expect(parsePolicyText(text, 'document', path).policy.plugins['acme.x']).toBeDefined();
  });

  it('writes JSON for a .json file, keeping its other keys, and creates a missing file', async () => {
    const path = join(dir, 'policy.json');
    await writeFile(path, '{"note":"kept","plugins":{}}');
    await savePolicyFile(path, policy);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      note: 'kept',
      plugins: {
        'acme.x': { permissions: { read_files: { include: ['Daily'], exclude: ['Daily/private'] } } },
      },
    });
    const fresh = join(dir, 'new.yaml');
    await savePolicyFile(fresh, policy);
    expect(
      parsePolicyText(await readFile(fresh, 'utf8'), 'document', fresh).policy.plugins['acme.x'],
    ).toBeDefined();
  });

  it('never writes an invalid policy, and leaves no temporary file behind', async () => {
    const path = join(dir, 'policy.yaml');
    await writeFile(path, 'plugins: {}\n');
    const bad = { plugins: { 'acme.x': { permissions: { read_files: { include: 'Daily' } } } } };
    const error = await savePolicyFile(path, bad as unknown as Policy).catch((caught: unknown) => caught);
    expect(PolicyFileError.isInstance(error)).toBe(true);
    expect((error as PolicyFileError).message).toMatch(
      new RegExp(`^${path}: Invalid permission policy: plugin 'acme\\.x', read_files: `),
    );
    expect(await readFile(path, 'utf8')).toBe('plugins: {}\n');
    expect(await readdir(dir)).toEqual(['policy.yaml']);
  });

  it('refuses to rewrite broken front matter, and a file that is not YAML/JSON/markdown', async () => {
    const path = join(dir, 'README.md');
    await writeFile(path, '---\ntitle: [unclosed\n---\nbody');
    await expect(savePolicyFile(path, policy)).rejects.toThrow(
      /the front matter is not valid YAML, so it is not rewritten/,
    );
    expect(await readFile(path, 'utf8')).toBe('---\ntitle: [unclosed\n---\nbody');
    await expect(savePolicyFile(join(dir, 'policy.txt'), policy)).rejects.toThrow(
      `${join(dir, 'policy.txt')}: Invalid permission policy: at (root): a policy file must end in .yaml, .yml or .json (got ".txt")`,
    );
  });
});

describe('applyManifestDefaults', () => {
  const manifest = {
    id: 'acme.x',
    requested_permissions: {
      defaults: {
        read_files: { include: ['all'], exclude: [] },
        edit_files: { include: ['Daily'], exclude: [] },
      },
      reasons: { read_files: 'Count words.', edit_files: 'Write the daily note.' },
    },
  };

  it('fills unset rules from the manifest and never widens a rule the user set', () => {
    const result = applyManifestDefaults(policy, manifest);
    expect(result.added).toEqual(['edit_files']);
    expect(result.kept).toEqual(['read_files']);
    expect(result.reasons).toEqual({ edit_files: 'Write the daily note.' });
    expect(result.policy.plugins['acme.x']?.permissions).toEqual({
      read_files: { include: ['Daily'], exclude: ['Daily/private'] },
      edit_files: { include: ['Daily'], exclude: [] },
    });
  });

  it('refuses a malformed policy document with a PolicyError', () => {
    expect(() => applyManifestDefaults({ plugins: 3 }, manifest)).toThrow(/^Invalid permission policy: /);
  });
});

describe('the trust section of a policy file', () => {
  const KEY = 'WK/07HM44crxEf1hRFNgOUwY2QeGyxHSx9x8oaIAj34=';
  const TRUST_YAML = `trust:\n  # our release key\n  keys:\n    - name: release # CI\n      public_key: ${KEY}\n      plugins: [acme.*]\n  require_signature: true\n`;
  const grant = (from: Policy): Policy => ({
    ...from,
    plugins: {
      ...from.plugins,
      'acme.y': { permissions: { read_files: { include: ['all'], exclude: [] } } },
    },
  });

  it('is read from front matter, and a grant written back keeps it with its comments', async () => {
    const path = join(dir, 'README.md');
    await writeFile(path, `---\nplugins: {}\n${TRUST_YAML}---\n${BODY}`);
    const read = parsePolicyText(await readFile(path, 'utf8'), 'front-matter', path).policy;
    expect(read.trust).toEqual({
      keys: [{ name: 'release', public_key: KEY, plugins: ['acme.*'] }],
      require_signature: true,
      plugins: {},
    });
    await savePolicyFile(path, grant(read));
    const text = await readFile(path, 'utf8');
    expect(text).toContain('  # our release key\n');
    expect(text).toContain('    - name: release # CI\n');
    const again = parsePolicyText(text, 'front-matter', path).policy;
    expect(again.trust).toEqual(read.trust);
    expect(Object.keys(again.plugins)).toEqual(['acme.y']);
  });

  it('is written when the policy changes it, and left alone by a policy without one', async () => {
    const path = join(dir, 'policy.yaml');
    await writeFile(path, `plugins: {}\n${TRUST_YAML}`);
    await savePolicyFile(path, policy);
    expect(parsePolicyText(await readFile(path, 'utf8'), 'document', path).policy.trust?.keys).toHaveLength(
      1,
    );
    const trust = { keys: [], require_signature: false, plugins: {} };
    await savePolicyFile(path, { ...policy, trust });
    expect(parsePolicyText(await readFile(path, 'utf8'), 'document', path).policy.trust).toEqual(trust);
  });

  it('round-trips through JSON policy files and new files', async () => {
    const trust = {
      keys: [{ name: 'release', public_key: KEY }],
      plugins: { 'acme.x': { require_signature: true } },
    };
    for (const name of ['policy.json', 'fresh.yaml', 'NEW.md']) {
      const path = join(dir, name);
      if (name === 'policy.json') await writeFile(path, '{"other": 1, "plugins": {}}');
      await savePolicyFile(path, { ...policy, trust });
      const format = name.endsWith('.md') ? 'front-matter' : 'document';
      expect(parsePolicyText(await readFile(path, 'utf8'), format, path).policy.trust).toEqual(trust);
    }
    expect(JSON.parse(await readFile(join(dir, 'policy.json'), 'utf8'))).toMatchObject({ other: 1 });
  });

  it('refuses a bad trust section naming the file and field', () => {
    expect(() =>
      parsePolicyText(
        `---\ntrust:\n  keys: [{ name: a, public_key: nope }]\n---\n`,
        'front-matter',
        'README.md',
      ),
    ).toThrow(/trust\.keys\[0\]\.public_key/);
  });
});
