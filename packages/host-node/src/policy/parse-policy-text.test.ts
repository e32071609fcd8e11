import { describe, expect, it } from 'vitest';
import { splitFrontMatter } from './front-matter.js';
import { parsePolicyText } from './parse-policy-text.js';
import { PolicyFileError } from './policy-file-error.js';

const FILE = '/notes/policy.yaml';

const caught = (run: () => unknown): PolicyFileError => {
  try {
    run();
  } catch (error) {
    if (PolicyFileError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a PolicyFileError');
};

describe('parsePolicyText', () => {
  it('reads a YAML policy document', () => {
    const compiled = parsePolicyText(
      'plugins:\n  acme.word-count:\n    permissions:\n      read_files: { include: [Daily] }\n',
      'document',
      FILE,
    );
    expect(compiled.policy.plugins['acme.word-count']?.permissions.read_files).toEqual({
      include: ['Daily'],
      exclude: [],
    });
    expect(compiled.resolve('acme.word-count', 'read_files', 'Daily/x.md').outcome).toBe('allowed');
  });

  it('reads JSON (JSON is YAML)', () => {
    const compiled = parsePolicyText(
      '{"plugins":{"acme.x":{"permissions":{"http_requests":{"include":["example.com"]}}}}}',
      'document',
      '/p.json',
    );
    expect(compiled.resolve('acme.x', 'http_requests', 'api.example.com').outcome).toBe('allowed');
  });

  it('reads an empty file as an empty policy', () => {
    expect(parsePolicyText('', 'document', FILE).policy).toEqual({ plugins: {} });
  });

  it('names the file and the field of a schema error', () => {
    const error = caught(() =>
      parsePolicyText(
        'plugins:\n  acme.x:\n    permissions:\n      read_files: { include: [3] }\n',
        'document',
        FILE,
      ),
    );
    expect(error.code).toBe('invalid_policy');
    expect(error.file).toBe(FILE);
    expect(error.context.pluginId).toBe('acme.x');
    expect(error.permission).toBe('read_files');
    expect(error.path).toEqual(['plugins', 'acme.x', 'permissions', 'read_files', 'include', 0]);
    expect(error.message).toMatch(
      /^\/notes\/policy\.yaml: Invalid permission policy: plugin 'acme\.x', read_files: at plugins\["acme\.x"\]\.permissions\.read_files\.include\[0\]: /,
    );
  });

  it('names the file, line and column of a YAML syntax error', () => {
    const error = caught(() => parsePolicyText('plugins:\n  acme.x: [unclosed\n', 'document', FILE));
    expect(error.message).toMatch(
      /^\/notes\/policy\.yaml: Invalid permission policy: at \(root\): the file is not valid YAML: .*at line \d+, column \d+/s,
    );
  });

  it('refuses duplicate keys rather than letting the last one win silently', () => {
    const error = caught(() => parsePolicyText('plugins: {}\nplugins: {}\n', 'document', FILE));
    expect(error.message).toContain('Map keys must be unique');
  });

  it('refuses a billion-laughs alias bomb', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'
        .split('')
        .map((key, index) => `${key}: &${key} [${Array(10).fill(`*${'abcdefgh'[index]}`).join(', ')}]`),
      'plugins: {}',
    ].join('\n');
    const error = caught(() => parsePolicyText(bomb, 'document', FILE));
    expect(error.message).toMatch(/the file cannot be read: .*alias/i);
  });
});

describe('front matter', () => {
  const md = (front: string, body = '# Notes\n\nHello.\n') => `---\n${front}---\n${body}`;

  it('reads the plugins key and ignores the other keys', () => {
    const compiled = parsePolicyText(
      md('title: My notes\nplugins:\n  acme.x:\n    permissions:\n      read_files: { include: [all] }\n'),
      'front-matter',
      '/notes/README.md',
    );
    expect(Object.keys(compiled.policy.plugins)).toEqual(['acme.x']);
  });

  it.each<[string, string]>([
    ['no front matter', '# Just notes\n'],
    ['front matter without plugins', md('title: x\n')],
    ['empty front matter', md('')],
  ])('is an empty policy with %s', (_what, text) => {
    expect(parsePolicyText(text, 'front-matter', '/r.md').policy).toEqual({ plugins: {} });
  });

  it('names the file and field inside the front matter', () => {
    const error = caught(() =>
      parsePolicyText(
        md('plugins:\n  acme.x:\n    permissions:\n      edit_files: { include: yes }\n'),
        'front-matter',
        '/r.md',
      ),
    );
    expect(error.message).toMatch(
      /^\/r\.md: Invalid permission policy: plugin 'acme\.x', edit_files: at plugins\["acme\.x"\]\.permissions\.edit_files\.include: /,
    );
  });

  it('refuses unterminated front matter and front matter that is not a mapping', () => {
    expect(caught(() => parsePolicyText('---\nplugins: {}\n', 'front-matter', '/r.md')).message).toBe(
      '/r.md: Invalid permission policy: at (root): the front matter opened by --- on the first line is not closed by a --- line',
    );
    expect(caught(() => parsePolicyText(md('- a\n- b\n'), 'front-matter', '/r.md')).message).toBe(
      '/r.md: Invalid permission policy: at (root): the front matter is not a YAML mapping',
    );
  });

  it('splits so that the parts join back to the file byte for byte', () => {
    for (const text of [
      md('a: 1\n'),
      '---\r\na: 1\r\n---\r\nbody\r\n',
      '---\na: 1\n...\n',
      md('a: 1\n', ''),
      '---\na: 1\n---',
    ]) {
      const split = splitFrontMatter(text);
      if (split.kind !== 'found') throw new Error(`no front matter in ${JSON.stringify(text)}`);
      expect(split.open + split.yaml + split.close + split.body).toBe(text);
    }
    expect(splitFrontMatter('---\n---\n').kind).toBe('found');
    expect(splitFrontMatter('text\n---\n').kind).toBe('none');
  });
});
