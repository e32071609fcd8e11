/**
 * Writes the README's capability table and its "not available" list from what `createNodeHost` actually
 * serves: it opens a host over a temporary workspace and reads `host.coverage()`. With --check it writes
 * nothing and exits 1 when the README is stale or lacks the markers.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import type { HostCapability } from '@plinth/protocol';
import { createNodeHost } from '../src/index.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const readmePath = join(packageRoot, 'README.md');
const check = process.argv.includes('--check');
const START = '<!-- generated:capabilities:start -->';
const END = '<!-- generated:capabilities:end -->';

/** Which part of the package (or of the engine) serves each capability in `createNodeHost`. */
const SERVED_BY: Record<HostCapability, string> = {
  files: '`/fs`',
  storage: '`/storage`',
  secrets: '`/storage`',
  namespaces: '`/namespaces`',
  http: '`/http`',
  ws: '`/ws`',
  wasi: '`/wasi`',
  basics: '`/basics`',
  plugins: "`@plinth/runtime`'s `PluginRegistry.bundle()`",
  unsupported: '—',
};

const base = mkdtempSync(join(tmpdir(), 'plinth-host-node-generate-'));
let rows;
try {
  const host = await createNodeHost({
    workspaceRoot: join(base, 'workspace'),
    pluginsRoot: join(base, 'plugins'),
    policy: { file: join(base, 'policy.json') },
    hostAppVersion: '1.0.0',
    lane: 'in-thread',
    watch: false,
    create: true,
  });
  rows = host.coverage();
  await host.close();
} finally {
  rmSync(base, { recursive: true, force: true });
}

const names = (list: readonly string[]) => list.map((name) => `\`${name}\``).join(', ');
const served = rows.filter((row) => row.served.length > 0);
const missing = rows.flatMap((row) => row.missing);
const section = [
  START,
  '',
  '| Capability | Served by | Functions |',
  '| --- | --- | --- |',
  ...served.map((row) => `| ${row.capability} | ${SERVED_BY[row.capability]} | ${names(row.served)} |`),
  '',
  `**Not available** (answer "not available" in their failure shape): ${names(missing)}.`,
  '',
  END,
].join('\n');

const readme = readFileSync(readmePath, 'utf8');
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from === -1 || to === -1 || to < from) {
  console.error(`README.md lacks the ${START} … ${END} markers`);
  process.exit(1);
}
// Formatted as `pnpm format` would, so the check and the formatter agree on the table's layout.
const next = await format(readme.slice(0, from) + section + readme.slice(to + END.length), {
  ...(await resolveConfig(readmePath)),
  filepath: readmePath,
});
if (next === readme) {
  console.log('README capability table up to date');
} else if (check) {
  console.error('README capability table is stale; run `pnpm --filter @plinth/host-node generate`');
  process.exit(1);
} else {
  writeFileSync(readmePath, next);
  console.log('wrote the README capability table');
}
