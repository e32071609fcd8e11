import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

// A TypeScript app that depends on Plinth compiles its declarations with `skipLibCheck: false` too: none
// of them may drag in a dependency's declarations that do not compile (as @extism/extism's do).
const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = join(root, '.plinth-tmp', 'consumer-types');

/** Every import path a published package offers (its `exports`, minus package.json), for TypeScript entries. */
function publishedEntries(): string[] {
  const entries: string[] = [];
  for (const dir of readdirSync(join(root, 'packages'))) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as {
      name: string;
      private?: boolean;
      exports?: Record<string, { types?: string } | string>;
    };
    if (manifest.private === true || manifest.exports === undefined) continue;
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (subpath === './package.json' || typeof target === 'string' || target.types === undefined) continue;
      entries.push(subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`);
    }
  }
  return entries.sort();
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('published declarations', () => {
  it('compile for a consumer without skipLibCheck, every entry of every package', { timeout: 60_000 }, () => {
    const entries = publishedEntries();
    expect(entries).toContain('@plinth/runtime');
    expect(entries).toContain('@plinth/runtime/node');
    mkdirSync(scratch, { recursive: true });
    const file = join(scratch, 'consumer.ts');
    writeFileSync(
      file,
      entries
        .map((entry, index) => `import * as entry${index} from '${entry}';\nvoid entry${index};\n`)
        .join(''),
    );
    const program = ts.createProgram([file], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      types: ['node'],
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map(
        (diagnostic) =>
          ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n') +
          (diagnostic.file ? ` (${diagnostic.file.fileName})` : ''),
      );
    expect(problems).toEqual([]);
  });
});
