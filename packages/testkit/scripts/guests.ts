/**
 * Builds every guest under guests/ from source and writes guests/guests.json (name, language, kind,
 * sha256, size, description, expected outcome).
 *
 *   tsx scripts/guests.ts            rebuild everything and rewrite the committed .wasm and guests.json
 *   tsx scripts/guests.ts --check    rebuild into a temp folder and fail unless every committed .wasm is
 *                                    byte-identical to what its source builds to
 *   --only <name>                    limit to one guest
 *
 * Builds are deterministic (no debug names, path prefixes remapped), so the check compares bytes exactly.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILDERS, toolchainsAvailable, type GuestDescriptor } from './guest-builders.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const guestsRoot = join(packageRoot, 'guests');
const manifestPath = join(guestsRoot, 'guests.json');
const args = process.argv.slice(2);
const check = args.includes('--check');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

interface Found {
  dir: string;
  guest: GuestDescriptor;
}

function findGuests(): Found[] {
  const found: Found[] = [];
  for (const group of ['golden', 'hostile', 'plain']) {
    const groupDir = join(guestsRoot, group);
    if (!existsSync(groupDir)) continue;
    for (const entry of readdirSync(groupDir, { withFileTypes: true })) {
      const descriptor = join(groupDir, entry.name, 'guest.json');
      if (!entry.isDirectory() || !existsSync(descriptor)) continue;
      const guest = JSON.parse(readFileSync(descriptor, 'utf8')) as GuestDescriptor;
      if (guest.name !== entry.name) throw new Error(`${descriptor}: name "${guest.name}" must equal its folder`);
      if (guest.kind !== group) throw new Error(`${descriptor}: kind "${guest.kind}" must equal its group "${group}"`);
      found.push({ dir: join(groupDir, entry.name), guest });
    }
  }
  return found.sort((a, b) => a.guest.name.localeCompare(b.guest.name));
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function main(): Promise<number> {
  const guests = findGuests().filter((g) => !only || g.guest.name === only);
  const available = toolchainsAvailable();
  const scratch = mkdtempSync(join(tmpdir(), 'plinth-guests-'));
  const problems: string[] = [];
  const entries = [];
  try {
    for (const { dir, guest } of guests) {
      const committed = join(dir, 'plugin.wasm');
      if (!available[guest.language]) {
        problems.push(`${guest.name}: the ${guest.language} toolchain is missing (scripts/bootstrap-guest-toolchains.sh installs it)`);
        continue;
      }
      const out = join(scratch, `${guest.name}.wasm`);
      await BUILDERS[guest.language](dir, guest, out);
      const built = readFileSync(out);
      if (check) {
        if (!existsSync(committed)) problems.push(`${guest.name}: plugin.wasm is not committed`);
        else if (!built.equals(readFileSync(committed))) {
          problems.push(`${guest.name}: committed plugin.wasm differs from what ${guest.source} builds to`);
        }
      } else {
        copyFileSync(out, committed);
      }
      entries.push({
        ...guest,
        path: relative(guestsRoot, committed),
        sha256: sha256(built),
        size: built.length,
      });
      console.log(`${check ? 'checked' : 'built'} ${guest.kind}/${guest.name} (${guest.language}, ${built.length} bytes)`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  if (!only) {
    const text = `${JSON.stringify(entries, null, 2)}\n`;
    if (check) {
      if (!existsSync(manifestPath) || readFileSync(manifestPath, 'utf8') !== text) {
        problems.push('guests.json is stale (checksums or descriptors changed); run `pnpm guests:build`');
      }
    } else {
      writeFileSync(manifestPath, text);
    }
  }
  for (const problem of problems) console.error(`✗ ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

process.exitCode = await main();
