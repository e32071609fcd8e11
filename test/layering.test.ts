import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LAYERS } from '../scripts/layers.mjs';
import { checkLayering, importsOf, type Layer } from './layering.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('repository layering', () => {
  it('every package follows the layering table in its manifest and imports', () => {
    expect(checkLayering(root, LAYERS)).toEqual([]);
  });
});

describe('the layering check itself', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const layers: Record<string, Layer> = {
    '@plinth/protocol': { dir: 'protocol', mayImport: [], neutral: true },
    '@plinth/runtime': {
      dir: 'runtime',
      mayImport: ['@plinth/protocol'],
      neutral: true,
      nodeOnly: ['src/node/**'],
    },
    '@plinth/testkit': { dir: 'testkit', mayImport: ['@plinth/runtime'], neutral: false },
    '@plinth/host-node': { dir: 'host-node', mayImport: ['@plinth/runtime'], neutral: false },
  };

  function writeRepo(files: Record<string, string>): string {
    dir = mkdtempSync(join(tmpdir(), 'plinth-layering-'));
    const manifests: Record<string, object> = {
      'protocol/package.json': { name: '@plinth/protocol', exports: { '.': { import: './dist/index.js' } } },
      'runtime/package.json': {
        name: '@plinth/runtime',
        exports: { '.': { import: './dist/index.js' }, './node': { import: './dist/node/index.js' } },
        dependencies: { '@plinth/protocol': 'workspace:*' },
      },
      'testkit/package.json': { name: '@plinth/testkit', dependencies: { '@plinth/runtime': 'workspace:*' } },
      'host-node/package.json': {
        name: '@plinth/host-node',
        dependencies: { '@plinth/runtime': 'workspace:*' },
      },
    };
    for (const [path, content] of Object.entries({ ...manifests, ...files })) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
    }
    return dir;
  }

  it('accepts a clean tree, with node: imports allowed behind the Node-only subpath', () => {
    const repo = writeRepo({
      'protocol/src/index.ts': 'export const a = 1;',
      'runtime/src/index.ts': "import { a } from '@plinth/protocol';\nexport const b = a;",
      'runtime/src/node/index.ts': "import { Worker } from 'node:worker_threads';\nexport { Worker };",
    });
    expect(checkLayering(repo, layers)).toEqual([]);
  });

  it('finds an upward import, an undeclared dependency, a node: import and a leaking Node-only file', () => {
    const repo = writeRepo({
      'protocol/src/index.ts':
        "import { b } from '@plinth/runtime';\nimport { readFileSync } from 'node:fs';\nexport const a = [b, readFileSync];",
      'runtime/src/index.ts': "export * from './node/index.js';",
      'runtime/src/node/index.ts': "export { Worker } from 'node:worker_threads';",
      'testkit/src/index.ts': "import type { X } from '@plinth/host-node';\nexport type Y = X;",
    });
    const messages = checkLayering(repo, layers).map((v) => `${v.pkg}: ${v.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        '@plinth/protocol: imports @plinth/runtime; @plinth/protocol may not import @plinth/runtime',
        '@plinth/protocol: imports @plinth/runtime without declaring it in dependencies',
        expect.stringMatching(/^@plinth\/protocol: imports node:fs; .* must stay runtime-neutral/),
        '@plinth/runtime: is Node-only but reachable from the main entry',
        '@plinth/runtime: main entry reaches node:worker_threads',
        '@plinth/testkit: imports @plinth/host-node; @plinth/testkit may not import @plinth/host-node',
      ]),
    );
  });

  it('finds a forbidden dependency in a manifest', () => {
    const repo = writeRepo({
      'testkit/package.json': JSON.stringify({
        name: '@plinth/testkit',
        devDependencies: { '@plinth/host-node': 'workspace:*' },
      }),
    });
    expect(checkLayering(repo, layers).map((v) => v.message)).toContain(
      'devDependencies lists @plinth/host-node, which @plinth/testkit may not depend on',
    );
  });

  it('allows a devMayImport package in devDependencies only, and never as an import from src', () => {
    const repo = writeRepo({
      'testkit/package.json': JSON.stringify({
        name: '@plinth/testkit',
        dependencies: { '@plinth/runtime': 'workspace:*' },
        devDependencies: { '@plinth/host-node': 'workspace:*' },
      }),
      'testkit/src/index.ts': "import { x } from '@plinth/host-node';\nexport const y = x;",
    });
    const benchOnly = {
      ...layers,
      '@plinth/testkit': { ...layers['@plinth/testkit']!, devMayImport: ['@plinth/host-node'] },
    };
    expect(checkLayering(repo, benchOnly).map((v) => `${v.file}: ${v.message}`)).toEqual([
      'src/index.ts: imports @plinth/host-node; @plinth/testkit may not import @plinth/host-node',
      'src/index.ts: imports @plinth/host-node without declaring it in dependencies',
    ]);
  });

  it('reads every import form', () => {
    const source = [
      "import a from 'a';",
      "import type { B } from 'b';",
      "export * from 'c';",
      "const d = await import('d');",
      "import 'e';",
    ].join('\n');
    expect(importsOf(source)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});
