// README and guide examples marked `<!-- runs as a test: test/readme-examples.test.ts -->` run here as
// written, against the shipped packages and guests, so the READMEs and docs/guides cannot rot.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const MARKER = '<!-- runs as a test: test/readme-examples.test.ts -->';
const scratch = join(root, '.plinth-tmp', 'readme-examples');

/** The marked TypeScript blocks of a README, in order. */
function examples(readme: string): string[] {
  const text = readFileSync(join(root, readme), 'utf8');
  const blocks: string[] = [];
  for (let at = text.indexOf(MARKER); at !== -1; at = text.indexOf(MARKER, at + MARKER.length)) {
    const open = text.indexOf('```ts\n', at);
    const close = text.indexOf('\n```', open);
    if (open === -1 || close === -1) throw new Error(`${readme}: a marker at ${at} has no ts block after it`);
    blocks.push(text.slice(open + '```ts\n'.length, close + 1));
  }
  return blocks;
}

/** What each marked example must print (console.log lines, in order). */
const EXPECTED: Record<string, string[][]> = {
  'README.md': [['{"path":"ideas.md","words":4}']],
  'packages/runtime/README.md': [
    ['Zoë', '[acme.kv] info: hello', '[acme.kv] warn: hello'],
    ['{"success":true,"data":{"hello":"world"}}', 'active'],
  ],
  'packages/host-node/README.md': [
    [
      'loaded plinth-golden.notes',
      'installed plinth-golden.notes',
      'plinth-golden.notes installed all it asks for is granted',
      '{"path":"Daily/today.md","words":3}',
      'unloaded plinth-golden.notes',
    ],
  ],
  'packages/protocol/README.md': [
    [
      'plinth-golden.c ping echo greet time',
      'invalid_version Invalid GuestManifest: at version: version must be a semantic version such as "1.2.3" (got "1.0")',
      'Daily/2026-11-22.md',
      '{"error":"host_read_file: permission denied"}',
    ],
  ],
  'packages/permissions/README.md': [
    [
      'allowed read_files Daily/2026-03-02.md',
      'matched_include Daily',
      'denied read_files Daily/%2e%2e/.env',
      'invalid_target target contains a percent-encoded ".." segment',
      "Permission denied for plugin 'plinth-golden.notes': read_files on 'Daily/%2e%2e/.env'",
      'allowed edit_files Daily/x.md',
      'ask_allow_always',
      'read files in Daily/ and README.md (except Daily/private/), edit files in Daily/, make HTTP requests to api.example.com, use plugin storage (1 MiB per value)',
      "false { bytes: 1048576, source: 'policy' }",
    ],
  ],
  'packages/host-kit/README.md': [['ok {"data":"aGk="} ""', 'host_storage_get host_storage_set', 'true']],
  'packages/signing/README.md': [['acme release', 'downgrade_refused']],
  'packages/host-postgres/README.md': [['{"tags":{"tools":["ideas.md"]},"files":1}'], ['pong']],
  'packages/dashboard/README.md': [['http://127.0.0.1:<port>/plugins?token=<token>', '200 true']],
  'packages/guests/README.md': [
    [
      'as-http as-notes c-protocol rust-protocol wat-protocol',
      'handle_command → limit:timeout',
      'true',
      'ping echo greet time',
    ],
  ],
  'docs/guides/embed-in-node.md': [
    [
      'read any file; edit files in Daily/; create files in Daily/; use plugin storage (1 MiB per value)',
      "false host_read_file: Permission not configured for plugin 'plinth-golden.notes': read_files on 'ideas.md'. Add plugins.plinth-golden.notes.permissions.read_files to the policy.",
      '{"path":"ideas.md","words":4}',
      'false',
    ],
  ],
  'packages/mcp/README.md': [
    [
      'Notes (AssemblyScript golden) (plinth-golden.notes v1.0.0): command "word_count" — Count the words of a note. Word counts, daily notes and a tag index for a notes workspace. Parameters: path (required). Runs in-thread, metered (fuel). Unsigned.',
      'false [{"type":"text","text":"{\\n  \\"path\\": \\"ideas.md\\",\\n  \\"words\\": 4\\n}"}]',
      'http://127.0.0.1:<port>/mcp',
    ],
  ],
};

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(Object.keys(EXPECTED))('%s', (readme) => {
  const blocks = examples(readme);

  it('has the marked examples the test expects', () => {
    expect(blocks).toHaveLength(EXPECTED[readme]?.length ?? 0);
  });

  it.each(blocks.map((block, index) => [index, block] as const))(
    'example %i runs as written and prints what it says',
    async (index, block) => {
      mkdirSync(scratch, { recursive: true });
      const file = join(scratch, `${readme.replaceAll('/', '_')}-${index}.ts`);
      writeFileSync(file, block);
      const printed: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
        printed.push(format(...parts)); // what console.log would print
      });
      try {
        await import(pathToFileURL(file).href);
      } finally {
        log.mockRestore();
      }
      expect(printed).toEqual(EXPECTED[readme]?.[index]);
    },
    // PGlite compiles its wasm build when created: seconds, more on a loaded machine.
    120_000,
  );
});
