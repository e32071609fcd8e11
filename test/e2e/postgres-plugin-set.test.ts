import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { guestBytes } from '@plinth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSharedPluginSet, eventually, openSharedHost } from './__fixtures__/shared-plugin-set.js';

let base: string;
let database: PGlite;
const closers: (() => Promise<void>)[] = [];

// PGlite compiles its wasm build on creation: seconds on a loaded machine.
beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'plinth-plugin-set-'));
  database = await PGlite.create();
}, 60_000);
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await database.close();
  rmSync(base, { recursive: true, force: true });
});

describe('the plugin set and the policy, shared through PostgreSQL (PGlite)', () => {
  it(
    'reaches every host: a seeded plugin, an install, a grant and an uninstall',
    { timeout: 60_000 },
    async () => {
      await checkSharedPluginSet(
        async (name, seed) => {
          const opened = await openSharedHost({ base, name, database, ...(seed ? { seed } : {}) });
          closers.push(opened.close);
          return opened.host;
        },
        { notes: guestBytes('as-notes'), c: guestBytes('c-protocol') },
      );
    },
  );

  it(
    'shares the policy between a front-matter host and a YAML host, each keeping the rest of its file',
    { timeout: 60_000 },
    async () => {
      const NOTES = 'plinth-golden.notes';
      const body = '\n# Notes\n\nThe body stays byte for byte.\n';
      // A database of their own, so the first test's hosts and policy are not part of it.
      const pair = await PGlite.create();
      closers.push(() => pair.close());
      const a = await openSharedHost({
        base,
        name: 'front-matter-a',
        database: pair,
        seed: { [NOTES]: guestBytes('as-notes') },
        policy: { file: 'README.md', text: `---\ntitle: Workspace A\nplugins: {}\n---${body}` },
      });
      closers.push(a.close);
      const b = await openSharedHost({
        base,
        name: 'front-matter-b',
        database: pair,
        policy: { file: 'policy.yaml', text: '# hand-written note kept by every pull\nplugins: {}\n' },
      });
      closers.push(b.close);
      const readAll = (host: typeof a, permission: 'read_files' | 'edit_files') =>
        host.host.policy().plugins[NOTES]?.permissions[permission]?.include.includes('all') === true;

      // A grant in front matter reaches the YAML host; the YAML file keeps its comment.
      await a.host.grant(NOTES, 'read_files', 'all');
      await eventually(() => readAll(b, 'read_files'), 'B has the grant made in A front matter');
      expect(readFileSync(b.policyFile, 'utf8')).toContain('# hand-written note kept by every pull');

      // And back: a grant on the YAML host lands in A's front matter, beside its title, above its body.
      await b.host.grant(NOTES, 'edit_files', 'all');
      await eventually(() => readAll(a, 'edit_files'), 'A has the grant made on B');
      const text = readFileSync(a.policyFile, 'utf8');
      expect(text.endsWith(`---${body}`)).toBe(true);
      expect(text).toContain('title: Workspace A');
      expect(readAll(a, 'read_files')).toBe(true);
    },
  );
});
