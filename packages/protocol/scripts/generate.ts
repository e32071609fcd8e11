/**
 * Writes the JSON Schema files under schema/ and the catalogue table in README.md from the zod schemas
 * and the host-function catalogue. With --check it writes nothing and exits 1 when a file is stale.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderArtifacts } from '../src/generate/artifacts.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const schemaDir = join(packageRoot, 'schema');
const readmePath = join(packageRoot, 'README.md');

const artifacts = renderArtifacts();
const stale: string[] = [];

const wanted = new Map(artifacts.schemas.map((file) => [join(schemaDir, file.path), file.text]));
for (const [path, text] of wanted) {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === text) continue;
  stale.push(relative(packageRoot, path));
  if (!check) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}
for (const path of listFiles(schemaDir)) {
  if (wanted.has(path)) continue;
  stale.push(`${relative(packageRoot, path)} (no longer generated)`);
  if (!check) rmSync(path);
}

const readme = readFileSync(readmePath, 'utf8');
const updated = artifacts.injectCatalogueTable(readme);
if (updated !== readme) {
  stale.push('README.md (catalogue table)');
  if (!check) writeFileSync(readmePath, updated);
}

if (check && stale.length > 0) {
  console.error(
    `Generated protocol files are stale; run \`pnpm --filter @plinth/protocol generate\`:\n  ${stale.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(
  check
    ? `protocol schemas up to date (${wanted.size} files)`
    : `wrote ${stale.length} of ${wanted.size} files`,
);

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
