// The plugin author's walkthrough, as the READMEs and docs/guides/write-a-plugin.md state it: @plinth/guest-as's example is the template, the
// template builds with its asconfig.json, and every block of @plinth/testkit's README marked
// `<!-- runs as a test: test/readme-walkthrough.test.ts -->` runs as written in the plugin's folder (blocks
// that declare tests add them to this file; the others run inside a test and must print what is expected).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, describe, expect, it, vi } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const MARKER = '<!-- runs as a test: test/readme-walkthrough.test.ts -->';
const testkit = join(root, 'packages', 'testkit');
const guestAs = join(root, 'packages', 'guest-as');
// An author's `npm install` puts assemblyscript and @plinth/guest-as in node_modules; here they are
// @plinth/guests' (which builds the golden guests with them), given to asc with --path.
const guests = join(root, 'packages', 'guests');
const asc = createRequire(join(guests, 'package.json')).resolve('assemblyscript/bin/asc.js');
const ascPath = ['--path', join(guests, 'node_modules')];

/** The fenced blocks of a README after each `marker`, in order. */
function markedBlocks(readme: string, marker: string, fence: string): string[] {
  const text = readFileSync(join(root, readme), 'utf8');
  const blocks: string[] = [];
  for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, at + marker.length)) {
    // The marker names the next block; one in another language is not this call's.
    const open = text.indexOf('```', at);
    if (open !== -1 && !text.startsWith(`${fence}\n`, open)) continue;
    const close = text.indexOf('```', open + fence.length);
    if (open === -1 || close === -1) throw new Error(`${readme}: a marker at ${at} has no ${fence} block`);
    // Blocks inside a list item are indented; the code is the same without it.
    const indent = /[ ]*$/.exec(text.slice(text.lastIndexOf('\n', open) + 1, open))?.[0].length ?? 0;
    blocks.push(
      text
        .slice(open + fence.length + 1, close)
        .split('\n')
        .map((line) => line.slice(Math.min(indent, /^ */.exec(line)?.[0].length ?? 0)))
        .join('\n'),
    );
  }
  return blocks;
}

/** The first fenced block of a language that follows `after` in a README. */
function blockAfter(readme: string, after: string, fence: string): string {
  const text = readFileSync(join(root, readme), 'utf8');
  const open = text.indexOf(`${fence}\n`, text.indexOf(after));
  return text.slice(open + fence.length + 1, text.indexOf('```', open + fence.length));
}

function build(dir: string, ...args: string[]): void {
  execFileSync(process.execPath, [asc, ...args, ...ascPath], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

mkdirSync(join(root, '.plinth-tmp'), { recursive: true });
const scratch = mkdtempSync(join(root, '.plinth-tmp', 'readme-walkthrough-'));
const cwd = process.cwd();

// testkit README, step 1 and 2: copy the template into a new folder and build it with its asconfig.json.
const plugin = join(scratch, 'acme-hello');
cpSync(join(guestAs, 'template'), plugin, { recursive: true });
build(plugin, '--config', 'asconfig.json', '--target', 'release');

// Step 3 and the later blocks run in the plugin's folder, where `plugin.wasm` is.
const blocks = markedBlocks('packages/testkit/README.md', MARKER, '```ts');
const declaresTests = (block: string) => /^\s*(it|describe\w*)\(/m.test(block);
process.chdir(plugin);
afterAll(() => {
  process.chdir(cwd);
  rmSync(scratch, { recursive: true, force: true });
});

async function importBlock(index: number, block: string): Promise<void> {
  const file = join(plugin, `readme-block-${index}.test.ts`);
  writeFileSync(file, block);
  await import(pathToFileURL(file).href);
}

// Blocks that declare tests (plugin.test.ts, a contract suite) add them to this file as they are imported.
for (const [index, block] of blocks.entries()) {
  if (declaresTests(block)) await importBlock(index, block);
}

/** What each marked block that does not declare tests prints (console.log lines), in order. */
const PRINTED: unknown[][] = [
  [],
  ["[ 'call_cycle' ]"],
  ["{ success: true, data: { path: 'Notes/a.md', words: 2 } }"],
  [
    'true',
    expect.stringMatching(
      /^plinth-test \(acme\.hello@0\.1\.0\)\n✓ manifest {9}[^\n]*\n[\s\S]*\nPASS: 6 passed, 0 failed, 2 skipped, 0 warnings\n$/,
    ),
  ],
];

describe('packages/testkit/README.md, in the built template folder', () => {
  const running = blocks.flatMap((block, index) => (declaresTests(block) ? [] : [[index, block] as const]));

  it('has the marked blocks the test expects: two declare tests, the others print', () => {
    expect(blocks.filter(declaresTests)).toHaveLength(2);
    expect(running).toHaveLength(PRINTED.length);
  });

  it.each(running.map(([index, block], at) => [index, at, block] as const))(
    'block %i runs as written and prints what it says',
    async (index, at, block) => {
      const printed: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
        printed.push(format(...parts)); // what console.log would print
      });
      try {
        await importBlock(index, block);
      } finally {
        log.mockRestore();
      }
      expect(printed).toEqual(PRINTED[at]);
    },
    60_000,
  );

  it('step 4: plinth-test passes the built template', () => {
    const bin = join(testkit, 'bin', 'plinth-test.js');
    const report = execFileSync(process.execPath, [bin, 'plugin.wasm'], { cwd: plugin, encoding: 'utf8' });
    expect(report.split('\n').at(-2)).toBe('PASS: 6 passed, 0 failed, 2 skipped, 0 warnings');
  }, 60_000);
});

describe('docs/guides/write-a-plugin.md: a plugin from an empty folder, checked with plinth-test', () => {
  const guide = 'docs/guides/write-a-plugin.md';
  const folder = join(scratch, 'acme-shout');

  it('has two marked blocks: the plugin source and a script that calls it', () => {
    expect(markedBlocks(guide, MARKER, '```ts')).toHaveLength(2);
  });

  it("the guide's plugin.ts builds with the template's asconfig.json and passes plinth-test", () => {
    const [source] = markedBlocks(guide, MARKER, '```ts');
    mkdirSync(folder);
    cpSync(join(guestAs, 'template', 'asconfig.json'), join(folder, 'asconfig.json'));
    writeFileSync(join(folder, 'plugin.ts'), source ?? '');
    build(folder, '--config', 'asconfig.json', '--target', 'release');
    const bin = join(testkit, 'bin', 'plinth-test.js');
    const report = execFileSync(process.execPath, [bin, 'plugin.wasm'], { cwd: folder, encoding: 'utf8' });
    expect(report).toMatch(/^plinth-test plugin\.wasm \(acme\.shout@0\.1\.0\)\n/);
    expect(report.split('\n').at(-2)).toBe('PASS: 6 passed, 0 failed, 2 skipped, 0 warnings');
  }, 60_000);

  it('the script runs in that folder and prints what it says', async () => {
    const [, script] = markedBlocks(guide, MARKER, '```ts');
    const file = join(folder, 'call-shout.ts');
    writeFileSync(file, script ?? '');
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
      printed.push(format(...parts));
    });
    process.chdir(folder); // the script names plugin.wasm, as in the guide
    try {
      await import(pathToFileURL(file).href);
    } finally {
      process.chdir(plugin);
      log.mockRestore();
    }
    expect(printed).toEqual([
      "{ success: true, data: 'HELLO!' }",
      "{\n  success: false,\n  error: 'shout: params.text is required',\n  error_code: 'invalid_params'\n}",
    ]);
  }, 60_000);
});

describe('docs/guides/write-a-plugin.md: the plugin installed into the demo, called over MCP', () => {
  const guide = 'docs/guides/write-a-plugin.md';
  const folder = join(scratch, 'acme-shout');
  const cli = join(root, 'apps', 'demo', 'dist', 'cli.js');

  it('installs with the marked commands, runs, and is an MCP tool of the demo', async () => {
    const [commands] = markedBlocks(guide, MARKER, '```sh');
    const lines = (commands ?? '').split('\n').filter((line) => line.startsWith('plinth-demo '));
    expect(lines).toHaveLength(2);
    const outputs = lines.map((line) => {
      // The block's own words, with `plinth-demo` as the built CLI and quotes as a shell reads them.
      const args = [...line.replace(/#.*$/, '').matchAll(/'([^']*)'|(\S+)/g)]
        .map((match) => match[1] ?? match[2] ?? '')
        .slice(1);
      return execFileSync(process.execPath, [cli, ...args], { cwd: folder, encoding: 'utf8', stdio: 'pipe' });
    });
    expect(outputs[1]?.trim()).toBe('HI!');

    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--disable-warning=ExperimentalWarning', cli, '--workspace', 'my-notes', 'mcp'],
      cwd: folder,
      stderr: 'pipe',
    });
    const client = new Client({ name: 'walkthrough', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toContain('acme_shout__shout');
      const answer = await client.callTool({ name: 'acme_shout__shout', arguments: { text: 'mcp' } });
      expect(answer.content).toEqual([{ type: 'text', text: 'MCP!' }]);
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('packages/guest-as/README.md', () => {
  it("the example is the template's plugin.ts: both build to the same module", () => {
    const example = join(scratch, 'guest-as-example');
    mkdirSync(example);
    const [code] = markedBlocks('packages/guest-as/README.md', MARKER, '```ts');
    expect(code).toBeDefined();
    writeFileSync(join(example, 'plugin.ts'), code ?? '');
    // The README's asconfig.json, as written.
    writeFileSync(
      join(example, 'asconfig.json'),
      blockAfter('packages/guest-as/README.md', '## Build', '```json'),
    );
    build(example, '--config', 'asconfig.json', '--target', 'release');
    expect(readFileSync(join(example, 'plugin.wasm'))).toEqual(readFileSync(join(plugin, 'plugin.wasm')));
  }, 60_000);

  it("its asconfig.json is the template's and the example file's", () => {
    const readme = JSON.parse(blockAfter('packages/guest-as/README.md', '## Build', '```json')) as unknown;
    expect(readme).toEqual(JSON.parse(readFileSync(join(guestAs, 'template', 'asconfig.json'), 'utf8')));
    expect(readme).toEqual(JSON.parse(readFileSync(join(guestAs, 'asconfig.example.json'), 'utf8')));
  });
});
