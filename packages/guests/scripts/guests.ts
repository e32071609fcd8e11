/**
 * Builds every guest under corpus/ from source and writes corpus/guests.json (name, language, kind,
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
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILDERS, toolchainsAvailable, type GuestDescriptor } from './guest-builders.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const guestsRoot = join(packageRoot, 'corpus');
const manifestPath = join(guestsRoot, 'guests.json');
const readmePath = join(guestsRoot, 'README.md');
const hostileReadmePath = join(guestsRoot, 'hostile', 'README.md');
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
      if (guest.name !== entry.name)
        throw new Error(`${descriptor}: name "${guest.name}" must equal its folder`);
      if (guest.kind !== group)
        throw new Error(`${descriptor}: kind "${guest.kind}" must equal its group "${group}"`);
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
        problems.push(
          `${guest.name}: the ${guest.language} toolchain is missing (scripts/bootstrap-guest-toolchains.sh installs it)`,
        );
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
      console.log(
        `${check ? 'checked' : 'built'} ${guest.kind}/${guest.name} (${guest.language}, ${built.length} bytes)`,
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  if (!only) {
    const outputs = [
      { path: manifestPath, text: `${JSON.stringify(entries, null, 2)}\n` },
      { path: readmePath, text: renderReadme(entries) },
      { path: hostileReadmePath, text: renderHostileReadme(entries) },
    ];
    for (const { path, text } of outputs) {
      if (!check) writeFileSync(path, text);
      else if (!existsSync(path) || readFileSync(path, 'utf8') !== text) {
        problems.push(
          `${relative(guestsRoot, path)} is stale (guests or descriptors changed); run \`pnpm guests:build\``,
        );
      }
    }
  }
  for (const problem of problems) console.error(`✗ ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

function renderReadme(entries: (GuestDescriptor & { path: string; size: number })[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const section = (kind: GuestDescriptor['kind'], title: string, blurb: string) => {
    const rows = entries
      .filter((entry) => entry.kind === kind)
      .map((entry) => {
        const outcome =
          entry.kind === 'hostile' ? describeOutcome(entry) : entry.conformance ? 'conformance table' : '';
        return `| [${entry.name}](${dirname(entry.path)}/) | ${entry.language} | ${entry.size} | ${cell(entry.description)} | ${cell(outcome || entry.expect)} |`;
      });
    return [
      `## ${title}`,
      '',
      blurb,
      '',
      '| Guest | Language | Bytes | What it is | Host must / proves |',
      '|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n');
  };
  return [
    '# Guest corpus',
    '',
    "Generated by `pnpm guests:build` from each guest's `guest.json`; do not edit. Sources sit next to their",
    "committed `plugin.wasm`; `guests.json` records each module's sha256, and `pnpm guests:check` rebuilds",
    'every guest and fails unless the committed bytes are identical to what the sources build to.',
    '',
    section(
      'golden',
      'Golden guests',
      'Well-behaved protocol guests. Those marked "conformance table" answer every row of `conformance.json` identically.',
    ),
    section('plain', 'Plain Extism guests', "No protocol: subjects for the runtime's generic layer."),
    section(
      'hostile',
      'Hostile guests',
      'One behaviour per guest or per command; the outcome is what a correct Plinth host must produce (see `hostile/README.md`).',
    ),
  ].join('\n');
}

type Entry = GuestDescriptor & { path: string; size: number };
type Trigger = {
  export?: string;
  input?: string;
  phase?: string;
  command?: string;
  params?: unknown;
  outcome?: string;
  expect?: string;
};

function renderHostileReadme(entries: Entry[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
  const rows: string[] = [];
  for (const entry of entries.filter((e) => e.kind === 'hostile')) {
    const record = entry as Entry & { trigger?: Trigger; triggers?: Trigger[]; outcome?: string };
    const link = `[${entry.name}](${entry.name}/)`;
    if (record.triggers) {
      for (const t of record.triggers) {
        const how = `handle_command ${code(JSON.stringify({ command: t.command, params: t.params ?? null }))}`;
        rows.push(
          `| ${link} | ${entry.language} | ${how} | ${code(t.outcome ?? '?')} | ${cell(t.expect ?? '')} |`,
        );
      }
    } else {
      const t = record.trigger ?? {};
      const how = t.phase
        ? `${t.phase} (module bytes)`
        : `${t.export ?? '?'} ${code(JSON.stringify(t.input ?? ''))}`;
      rows.push(
        `| ${link} | ${entry.language} | ${how} | ${code(record.outcome ?? '?')} | ${cell(entry.expect)} |`,
      );
    }
  }
  return [
    '# Hostile guests',
    '',
    "Generated by `pnpm guests:build` from each guest's `guest.json`; do not edit.",
    '',
    'Each folder is one misbehaving guest, or one guest with one command per behaviour. The trigger says how to',
    'provoke it: call that export with that input after a normal load (for `manifest` and `init`, the load',
    'itself), or, for `compile` / `instantiate`, act on the module bytes before any export runs.',
    '',
    'Outcome codes: `limit:*` — a typed limit error naming the plugin, the export and the limit; `load:*` — the',
    'plugin does not load, with a typed error naming the plugin and the reason; `call:*` — the call fails with',
    'a typed error naming the plugin and the export, and the plugin stays usable; `denied:<permission>`,',
    '`rejected:*`, `scoped:*` — the host function answers in its failure shape (or its absent answer) and the',
    'guest returns that raw answer as `data`. In every case the host process and other plugins are unaffected.',
    '',
    'Never run the `limit:timeout`, `limit:memory` or `limit:output_size` guests without a wall-clock limit.',
    'Folders starting with `_` hold shared sources, not guests.',
    '',
    '| Guest | Language | Trigger | Outcome | A correct host |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

function describeOutcome(entry: GuestDescriptor): string {
  const record = entry as GuestDescriptor & {
    outcome?: string;
    triggers?: { command?: string; outcome?: string }[];
  };
  if (record.triggers)
    return record.triggers.map((t) => `${t.command ?? '?'}: \`${t.outcome ?? '?'}\``).join('; ');
  return record.outcome ? `\`${record.outcome}\`` : '';
}

process.exitCode = await main();
