#!/usr/bin/env node
/**
 * Packs every publishable package (`packages/*` not marked private) into one folder and prints the
 * package.json lines that install them from there, for projects outside this repo until @plinth/* is on
 * npm. `pnpm pack` writes each `workspace:*` dependency as its exact version, which npm then looks for on
 * the registry, so a project needs the tarball of every @plinth package it uses, directly or not: the
 * printed lines are the named packages and all they depend on.
 *
 *   pnpm pack:all [@plinth/<name>…] [--out <dir>] [--no-build] [--json]
 *
 *   names        print the lines for these packages and their @plinth dependencies (default: all)
 *   --out        where the tarballs go (default: packed/ in the repo)
 *   --no-build   pack what dist/ holds now instead of building first
 *   --json       print { "packages": { "<name>": "<tarball path>" }, "dependencies": { … } } instead
 *
 * Run it in a checkout set up by scripts/bootstrap.sh (pnpm, dependencies). Exit code 2 on a usage error.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The publishable workspace packages: name → { dir, version, internal @plinth dependencies }. */
function publishablePackages() {
  const found = new Map();
  const packagesDir = join(root, 'packages');
  for (const entry of readdirSync(packagesDir, { withFileTypes: true })) {
    const manifestPath = join(packagesDir, entry.name, 'package.json');
    if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private) continue;
    const internal = Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies })
      .filter(([, range]) => String(range).startsWith('workspace:'))
      .map(([name]) => name);
    found.set(manifest.name, { dir: join(packagesDir, entry.name), version: manifest.version, internal });
  }
  return new Map([...found].sort(([a], [b]) => a.localeCompare(b)));
}

/** `names` and every workspace package they depend on, directly or not, sorted. */
function withDependencies(packages, names) {
  const needed = new Set();
  const visit = (name) => {
    if (needed.has(name)) return;
    needed.add(name);
    for (const dependency of packages.get(name)?.internal ?? []) visit(dependency);
  };
  for (const name of names) visit(name);
  return [...needed].sort();
}

class UsageError extends Error {}

function parseCommandLine(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        'no-build': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error.message);
  }
  return parsed;
}

// pnpm as bootstrap.sh installs it when none is on PATH; turbo runs the build scripts with it too.
const env = {
  ...process.env,
  PATH: [join(root, '.tools', 'node_modules', '.bin'), process.env.PATH].join(delimiter),
};

function run(command, args, cwd) {
  try {
    return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const detail = error.code === 'ENOENT' ? `${command} is not on PATH` : error.stderr || error.message;
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${detail}`);
  }
}

function main(argv) {
  const { values, positionals } = parseCommandLine(argv);
  const packages = publishablePackages();
  const unknown = positionals.filter((name) => !packages.has(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `not a publishable package: ${unknown.join(', ')} (they are ${[...packages.keys()].join(', ')})`,
    );
  }
  const out = resolve(values.out ?? join(root, 'packed'));
  mkdirSync(out, { recursive: true });

  if (!values['no-build']) {
    const filters = [...packages.keys()].map((name) => `--filter=${name}`);
    run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only', ...filters], root);
  }
  const tarballs = {};
  for (const [name, { dir, version }] of packages) {
    // An older tarball of the same package would sit beside the new one; only the new one is printed.
    const prefix = `${name.replace(/^@/, '').replace('/', '-')}-`;
    for (const file of readdirSync(out)) {
      if (file.startsWith(prefix) && file.endsWith('.tgz')) rmSync(join(out, file));
    }
    const packed = JSON.parse(run('pnpm', ['pack', '--pack-destination', out, '--json'], dir));
    if (packed.version !== version) throw new Error(`${name}: packed ${packed.version}, expected ${version}`);
    tarballs[name] = packed.filename;
  }

  const wanted = withDependencies(packages, positionals.length > 0 ? positionals : [...packages.keys()]);
  const dependencies = Object.fromEntries(wanted.map((name) => [name, `file:${tarballs[name]}`]));
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ packages: tarballs, dependencies }, null, 2)}\n`);
    return;
  }
  const lines = wanted.map((name, index) => {
    const comma = index < wanted.length - 1 ? ',' : '';
    return `    ${JSON.stringify(name)}: ${JSON.stringify(dependencies[name])}${comma}`;
  });
  const which =
    positionals.length > 0
      ? `${positionals.join(', ')} and the @plinth packages ${positionals.length === 1 ? 'it uses' : 'they use'}`
      : 'all; `pnpm pack:all @plinth/<name>…` prints just those and what they use';
  process.stdout.write(
    [
      `Packed ${packages.size} packages into ${out}.`,
      '',
      `Paste into your package.json's dependencies (${which}):`,
      '',
      ...lines,
      '',
      'or install them with npm:',
      '',
      `    npm install ${wanted.map((name) => tarballs[name]).join(' ')}`,
      '',
    ].join('\n'),
  );
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`pack-all: ${error.message}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
