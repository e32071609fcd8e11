import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { createFsBundle } from '@plinth/host-node/fs';
import { createAllowAllChecker } from '@plinth/permissions';
import { describeFilesContract } from '@plinth/testkit/contracts';
import { createMemoryFsBundle, MEMORY_WORKSPACE_ROOT } from '@plinth/testkit/twins';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describeFilesContract('in-memory twin', (setup) => {
  const { files, ...options } = setup;
  return {
    bundle: createMemoryFsBundle({ ...options, initialFiles: files }).bundle,
    workspaceRoot: MEMORY_WORKSPACE_ROOT,
  };
});

describeFilesContract('node file system', (setup) => {
  const { files, ...options } = setup;
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-files-contract-')));
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    if (path.endsWith('/')) {
      mkdirSync(full, { recursive: true });
      continue;
    }
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return {
    bundle: createFsBundle({ ...options, root }),
    workspaceRoot: root,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
});

describe('node file system: no generated path ever escapes (property)', () => {
  const segments = [
    '..',
    '.',
    '',
    '%2e%2e',
    '%252e%252E',
    '.%2e',
    'link-out',
    'notes',
    'secret.txt',
    '%00',
    '\u0000',
    'x',
  ];

  it('reads never answer outside content and writes never create anything outside', () => {
    const base = realpathSync(mkdtempSync(join(tmpdir(), 'plinth-files-property-')));
    try {
      const root = join(base, 'workspace');
      mkdirSync(join(root, 'notes'), { recursive: true });
      mkdirSync(join(base, 'outside'));
      writeFileSync(join(base, 'secret.txt'), 'PARENT SECRET');
      writeFileSync(join(base, 'outside', 'secret.txt'), 'LINKED SECRET');
      symlinkSync(join(base, 'outside'), join(root, 'link-out'), 'dir');
      const outsideBefore = outsideTree(base);
      const bundle = createFsBundle({ root, permissions: createAllowAllChecker() });
      const context = { pluginId: 'test.property', exportName: 'handle_command' };
      const path = fc
        .tuple(
          fc.constantFrom('', '/', base, `${base}/`, root, `${root}/`),
          fc.array(fc.constantFrom(...segments), { maxLength: 6 }),
          fc.constantFrom('/', '\\'),
        )
        .map(([lead, parts, separator]) => lead + parts.join(separator));
      fc.assert(
        fc.property(path, (candidate) => {
          const read = bundle.host_read_file!({ path: candidate }, context);
          expect(JSON.stringify(read)).not.toMatch(/SECRET/);
          const listed = bundle.host_list_files!({ prefix: candidate }, context);
          if (typeof listed === 'string') {
            for (const entry of JSON.parse(listed) as string[])
              expect(realpathSync(join(root, entry)).startsWith(root + sep)).toBe(true);
          }
          bundle.host_write_file!({ path: candidate, content: 'written' }, context);
          expect(outsideTree(base)).toEqual(outsideBefore);
        }),
        { numRuns: 300 },
      );
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

/** Everything under `base` except the workspace, with file contents. */
function outsideTree(base: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(base, { recursive: true, withFileTypes: true })) {
    const full = join(entry.parentPath, entry.name);
    const relative = full.slice(base.length + 1);
    if (relative === 'workspace' || relative.startsWith(`workspace${sep}`)) continue;
    out[relative] = entry.isFile() ? readFileSync(full, 'utf8') : '<not a file>';
  }
  return out;
}
