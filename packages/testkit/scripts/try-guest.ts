/**
 * Runs the shared conformance table against one guest's committed plugin.wasm and prints each row:
 *   tsx scripts/try-guest.ts <guest-folder-or-wasm-path>
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runConformanceTable } from '../src/guests/conformance.js';

const target = process.argv[2];
if (!target) {
  console.error('usage: tsx scripts/try-guest.ts <guest-folder-or-wasm-path>');
  process.exit(2);
}
const path = target.endsWith('.wasm') ? target : join(target, 'plugin.wasm');
if (!existsSync(path)) {
  console.error(`no module at ${path}`);
  process.exit(2);
}
const results = await runConformanceTable(new Uint8Array(readFileSync(path)));
for (const result of results) {
  console.log(`${result.ok ? '✓' : '✗'} ${result.row}${result.problems.map((p) => `\n    ${p}`).join('')}`);
}
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
