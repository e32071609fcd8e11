// The root has no dependency on @plinth/protocol, so this reads the package's built dist directly.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  HOST_FUNCTION_NAMES,
  HOST_FUNCTION_NAMESPACE,
  getHostFunction,
} from '../packages/protocol/dist/index.js';
import { describe, expect, it } from 'vitest';

const assemblyDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'guest-as', 'assembly');

function sources(dir: string): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [{ file: path, text: readFileSync(path, 'utf8') }] : [];
  });
}

const SHAPE_HELPER = /\bshape(E|S|Q|H|P|W|O|None)\(/g;
const IMPORT = /@external\("([^"]+)",\s*"([^"]+)"\)\s*declare function (\w+)/g;

interface Wrapper {
  name: string;
  file: string;
  /** The `// shape: X` marker directly above the import. */
  marker: string | undefined;
  /** Shape helpers the wrapper code uses, directly or through a helper function of the same file. */
  helpers: Set<string>;
}

/** File-local functions and the shape helpers each one calls. */
function localHelpers(text: string): Map<string, Set<string>> {
  const helpers = new Map<string, Set<string>>();
  const parts = text.split(/\n(?=(?:export )?function \w+)/);
  for (const part of parts) {
    const name = /^(?:export )?function (\w+)/.exec(part)?.[1];
    if (name) helpers.set(name, new Set([...part.matchAll(SHAPE_HELPER)].map((m) => m[1]!)));
  }
  return helpers;
}

function wrappers(): Wrapper[] {
  const found: Wrapper[] = [];
  for (const { file, text } of sources(assemblyDir)) {
    const locals = localHelpers(text);
    const imports = [...text.matchAll(IMPORT)].filter((m) => m[1] === HOST_FUNCTION_NAMESPACE);
    for (const [i, match] of imports.entries()) {
      const before = text.slice(0, match.index).trimEnd().split('\n').at(-1) ?? '';
      const next = imports[i + 1]?.index ?? text.length;
      // The wrapper code: from this import to the next import's marker line.
      const segment = text.slice(match.index, next).replace(/\n\/\/ shape: \w+\s*$/, '');
      const helpers = new Set([...segment.matchAll(SHAPE_HELPER)].map((m) => m[1]!));
      for (const [local, used] of locals) {
        if (new RegExp(`\\b${local}\\(`).test(segment)) for (const shape of used) helpers.add(shape);
      }
      found.push({ name: match[2]!, file, marker: /^\/\/ shape: (\w+)$/.exec(before)?.[1], helpers });
    }
  }
  return found;
}

describe('@plinth/guest-as wrappers follow the host-function catalogue', () => {
  const all = wrappers();
  const byName = new Map(all.map((w) => [w.name, w]));

  it('imports exactly the catalogue, each once', () => {
    // host_log is imported twice on purpose: by its wrapper and by the abort handler (which must not allocate
    // through the JSON layer); every other function once.
    const wrapped = all.filter((w) => w.marker !== undefined).map((w) => w.name);
    expect(new Set(wrapped).size).toBe(wrapped.length);
    expect([...wrapped].sort()).toEqual([...HOST_FUNCTION_NAMES].sort());
    expect(new Set(all.map((w) => w.name))).toEqual(new Set(HOST_FUNCTION_NAMES));
  });

  it.each([...HOST_FUNCTION_NAMES])('%s: the documented shape is the catalogue failure shape', (name) => {
    const wrapper = byName.get(name);
    expect(wrapper, `no wrapper imports ${name}`).toBeDefined();
    const marked = all.find((w) => w.name === name && w.marker !== undefined)!;
    const shape = getHostFunction(name)!.failure;
    expect(marked.marker).toBe(shape);
    // The wrapper reads its answer with the helper for its shape and no other failure helper.
    const letter = shape === 'none' ? 'None' : shape;
    const others = [...marked.helpers].filter((h) => h !== letter && h !== 'None');
    expect(others, `${name} uses shape helpers ${others.join(', ')}`).toEqual([]);
    if (shape !== 'none' && shape !== 'S')
      expect(marked.helpers.has(letter), `${name} never calls shape${letter}`).toBe(true);
    if (shape === 'S') expect(marked.helpers.has('S'), `${name} never calls shapeS`).toBe(true);
  });
});
