// What a project outside this repo gets: `pnpm pack:all` tarballs installed by npm (third-party
// dependencies from the registry, every @plinth one from its tarball), each entry point imported, and the
// guest-as template built and passed by the installed plinth-test. Then the release itself, dry: on a
// scratch copy, `changeset version` and `pnpm publish --dry-run` of every publishable package.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'plinth-release-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** The publishable packages of a workspace, by name: directory and package.json. */
function publishable(workspace: string): Map<string, { dir: string; json: PackageJson }> {
  const found = new Map<string, { dir: string; json: PackageJson }>();
  for (const entry of readdirSync(join(workspace, 'packages'))) {
    const dir = join(workspace, 'packages', entry);
    if (!existsSync(join(dir, 'package.json'))) continue;
    const json = readJson<PackageJson>(join(dir, 'package.json'));
    if (!json.private) found.set(json.name, { dir, json });
  }
  return found;
}

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Entries that are Web Worker scripts rather than modules to import. */
const WORKER_SCRIPTS = ['@plinth/runtime/browser/lane-worker', '@plinth/host-browser/wasi-worker'];

describe('the packed packages, installed by npm outside the workspace', () => {
  const packages = publishable(root);
  const consumer = join(scratch, 'consumer');
  let packed: { packages: Record<string, string>; dependencies: Record<string, string> };

  beforeAll(() => {
    packed = JSON.parse(
      run(
        process.execPath,
        [join(root, 'scripts', 'pack-all.mjs'), '--json', '--out', join(scratch, 'packed')],
        root,
      ),
    ) as typeof packed;
  });

  it('has one tarball per publishable package, each naming its @plinth dependencies by exact version', () => {
    expect(Object.keys(packed.packages).sort()).toEqual([...packages.keys()].sort());
    expect(Object.keys(packed.dependencies).sort()).toEqual([...packages.keys()].sort());
    for (const [name, tarball] of Object.entries(packed.packages)) {
      const inside = JSON.parse(
        run('tar', ['-xzOf', tarball, 'package/package.json'], scratch),
      ) as PackageJson;
      for (const [dependency, range] of Object.entries({
        ...inside.dependencies,
        ...inside.peerDependencies,
      })) {
        expect(range, `${name} → ${dependency}`).not.toMatch(/^workspace:/);
        const sibling = packages.get(dependency);
        if (sibling) expect(range, `${name} → ${dependency}`).toBe(sibling.json.version);
      }
    }
  });

  it('installs with npm from the printed lines, in a project outside the workspace', () => {
    // The guest-as template, with the lines pack:all prints in place of the registry versions.
    mkdirSync(consumer);
    cpSync(join(root, 'packages', 'guest-as', 'template'), consumer, { recursive: true });
    const template = readJson<PackageJson>(join(consumer, 'package.json'));
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({
        ...template,
        dependencies: packed.dependencies,
        devDependencies: { assemblyscript: '0.28.20' },
      }),
    );
    // Install scripts stay off (npm 11 asks before running them): nothing here needs SQLite's native build.
    const npm = ['install', '--no-audit', '--no-fund', '--ignore-scripts'];
    try {
      run('npm', [...npm, '--offline'], consumer); // from npm's cache, when an earlier run filled it
    } catch {
      run('npm', npm, consumer);
    }
    for (const name of packages.keys()) {
      expect(existsSync(join(consumer, 'node_modules', name, 'package.json')), name).toBe(true);
    }
  });

  it('imports every JavaScript entry point of every package with node', () => {
    const specifiers: string[] = [];
    const optionalPeers = new Map<string, string[]>();
    for (const [name, { json }] of packages) {
      // guest-as is AssemblyScript: asc compiles it (next test); node has nothing to import.
      if (name === '@plinth/guest-as') continue;
      const optional = Object.entries(json.peerDependenciesMeta ?? {}).filter(([, meta]) => meta.optional);
      for (const subpath of Object.keys(json.exports ?? {})) {
        if (subpath === './package.json' || subpath.includes('*')) continue;
        specifiers.push(`${name}${subpath.slice(1)}`);
        optionalPeers.set(
          `${name}${subpath.slice(1)}`,
          optional.map(([peer]) => peer),
        );
      }
    }
    // One node process imports them all, each on its own, and answers what each one gave.
    const script = `
      const results = {};
      for (const specifier of ${JSON.stringify(specifiers)}) {
        try { results[specifier] = { exports: Object.keys(await import(specifier)).length }; }
        catch (error) { results[specifier] = { error: String(error?.message ?? error).split('\\n')[0] }; }
      }
      console.log(JSON.stringify(results));`;
    const results = JSON.parse(
      run(process.execPath, ['--input-type=module', '-e', script], consumer),
    ) as Record<string, { exports?: number; error?: string }>;
    const failed = Object.entries(results).flatMap(([specifier, result]) => {
      // An entry for an optional peer (testkit's vitest matchers and contract suites) needs that peer.
      const peers = optionalPeers.get(specifier) ?? [];
      if (result.error && peers.some((peer) => result.error?.includes(`Cannot find package '${peer}'`)))
        return [];
      // A worker's script (runtime's lane worker, host-browser's WASI worker) runs only as a Web Worker, and
      // says so when imported anywhere else.
      if (WORKER_SCRIPTS.includes(specifier))
        return result.error?.endsWith(
          'is a Web Worker script: start it with new Worker(url, { type: "module" }), do not import it',
        )
          ? []
          : [
              `${specifier}: imported outside a worker, it should say it is a worker script (${result.error ?? 'no error'})`,
            ];
      if (result.error) return [`${specifier}: ${result.error}`];
      return result.exports === 0 ? [`${specifier}: exports nothing`] : [];
    });
    expect(failed).toEqual([]);
    expect(Object.keys(results)).toEqual(specifiers);
    expect(results['@plinth/testkit/conformance']?.exports).toBeGreaterThan(0);
  });

  it('builds the guest-as template with the installed SDK, and the installed plinth-test passes it', () => {
    run(
      join(consumer, 'node_modules', '.bin', 'asc'),
      ['--config', 'asconfig.json', '--target', 'release'],
      consumer,
    );
    const report = run(join(consumer, 'node_modules', '.bin', 'plinth-test'), ['plugin.wasm'], consumer);
    expect(report.split('\n')[0]).toBe('plinth-test plugin.wasm (acme.hello@0.1.0)');
    expect(report).toMatch(/\nPASS: /);
  });
});

describe('release dry run, on a scratch copy of the workspace', () => {
  const copy = join(scratch, 'workspace');
  const SKIP = new Set(['node_modules', '.git', '.plinth-tmp', '.tools', '.turbo', 'packed', 'coverage']);

  beforeAll(() => {
    // The tree as it is (built dist/ included), without any node_modules; the root's is linked for the
    // changesets CLI and its changelog module. Nothing in the checkout is written.
    mkdirSync(copy);
    for (const entry of readdirSync(root)) {
      if (SKIP.has(entry)) continue;
      cpSync(join(root, entry), join(copy, entry), {
        recursive: true,
        filter: (source) => basename(source) !== 'node_modules' && basename(source) !== '.turbo',
      });
    }
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'));
  });

  it('changeset version takes every pending changeset and moves the publishable packages to one version', () => {
    const before = publishable(copy);
    const pending = readdirSync(join(copy, '.changeset')).filter(
      (file) => file.endsWith('.md') && file !== 'README.md',
    );
    run(process.execPath, [join(root, 'node_modules', '@changesets', 'cli', 'bin.js'), 'version'], copy);
    const after = publishable(copy);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const versions = new Set([...after.values()].map(({ json }) => json.version));
    // One fixed group: a package left out of it would keep its own version.
    expect(versions.size, [...after].map(([name, { json }]) => `${name}@${json.version}`).join(', ')).toBe(1);
    if (pending.length > 0) {
      for (const [name, { json }] of after)
        expect(json.version, name).not.toBe(before.get(name)?.json.version);
      expect(readdirSync(join(copy, '.changeset')).filter((file) => pending.includes(file))).toEqual([]);
    }
  });

  it('pnpm publish --dry-run succeeds for every publishable package, at the new version', () => {
    const packages = publishable(copy);
    // pnpm reads a workspace dependency's version (devDependencies too) through the package's
    // node_modules link, as an install would have made it.
    for (const { dir, json } of packages.values()) {
      const ranges = { ...json.dependencies, ...json.devDependencies, ...json.peerDependencies };
      const internal = Object.entries(ranges).filter(([, range]) => range.startsWith('workspace:'));
      for (const [dependency] of internal) {
        const link = join(dir, 'node_modules', dependency);
        mkdirSync(dirname(link), { recursive: true });
        symlinkSync(packages.get(dependency)?.dir ?? '', link);
      }
    }
    for (const [name, { dir, json }] of packages) {
      // changesets publishes with the config's access (public); a scoped package is private by default.
      const published = spawnSync('pnpm', ['publish', '--dry-run', '--no-git-checks', '--access', 'public'], {
        cwd: dir,
        encoding: 'utf8',
      });
      const output = `${published.stdout}${published.stderr}`;
      expect(published.status, `${name}:\n${output}`).toBe(0);
      expect(output, name).toContain(`+ ${name}@${json.version}`);
    }
  });
});
