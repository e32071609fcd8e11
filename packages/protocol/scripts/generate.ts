/**
 * Writes the JSON Schema files under schema/ and the generated tables of PROTOCOL.md from the zod schemas
 * and the host-function catalogue. With --check it writes nothing and exits 1 when a file is stale. Either
 * way it exits 1 when PROTOCOL.md lacks a generated region's markers, so a table cannot silently vanish.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderArtifacts } from '../src/generate/artifacts.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const schemaDir = join(packageRoot, 'schema');
const protocolPath = join(packageRoot, 'PROTOCOL.md');

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

const protocol = readFileSync(protocolPath, 'utf8');
const injected = artifacts.injectProtocolSections(protocol);
if (injected.problems.length > 0) {
  console.error(`PROTOCOL.md cannot be brought up to date:\n  ${injected.problems.join('\n  ')}`);
  process.exit(1);
}
if (injected.text !== protocol) {
  stale.push(`PROTOCOL.md (${artifacts.protocolSections.map((section) => section.name).join(', ')})`);
  if (!check) writeFileSync(protocolPath, injected.text);
}

if (check && stale.length > 0) {
  console.error(
    `Generated protocol files are stale; run \`pnpm --filter @plinth/protocol generate\`:\n  ${stale.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(
  check
    ? `protocol schemas (${wanted.size} files) and PROTOCOL.md tables up to date`
    : `wrote ${stale.length} of ${wanted.size + 1} files`,
);

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
