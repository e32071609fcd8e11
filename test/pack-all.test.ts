// `pnpm pack:all` refuses what it cannot pack before packing anything; test/release packs and installs.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/pack-all.mjs', import.meta.url));
const packAll = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });

describe('scripts/pack-all.mjs', () => {
  it('exits 2 naming a package that is not publishable, and lists the ones that are', () => {
    const { status, stdout, stderr } = packAll('@plinth/demo', '--no-build');
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^pack-all: not a publishable package: @plinth\/demo \(they are .*@plinth\/runtime/,
    );
  });

  it('exits 2 on an unknown option', () => {
    const { status, stderr } = packAll('--registry', 'x');
    expect(status).toBe(2);
    expect(stderr).toMatch(/^pack-all: Unknown option '--registry'/);
  });
});
