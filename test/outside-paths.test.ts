// Nothing in the repository reads a path outside it at build or test time: every file URL a source builds
// from `import.meta.url` stays inside the checkout, and no file names the shared folder beside it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const files = execFileSync('git', ['ls-files', '*.ts', '*.mts', '*.js', '*.mjs', '*.cjs', '*.sh', '*.json'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => file !== '' && !file.includes('node_modules/'));
const FILE_URL = /new URL\(\s*['"`](\.{1,2}\/[^'"`$]*)['"`]\s*,\s*import\.meta\.url\s*\)/g;
/** A path into the shared folder beside the checkout (a sibling module such as shared-options.js is fine). */
const SHARED = /\.\.\/shared(?:\/|['"`])/;

describe('no path outside the repository', () => {
  it('finds the tracked sources', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it('resolves every relative file URL inside the checkout, and names no shared folder beside it', () => {
    const outside: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      if (SHARED.test(text)) outside.push(`${file}: names the shared folder beside the repository`);
      for (const match of text.matchAll(FILE_URL)) {
        const target = resolve(dirname(join(root, file)), match[1] as string);
        if (target !== root && !target.startsWith(root + sep))
          outside.push(`${file}: ${match[1]} → ${target}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
