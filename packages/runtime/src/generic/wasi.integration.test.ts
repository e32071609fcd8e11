import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlinthError } from '@plinth/protocol';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createIsolatedLane } from '../node/isolated-lane.js';
import { nodeWasi } from '../node/node-wasi.js';
import { openPlugin, type GenericPlugin, type OpenPluginOptions } from '../open-plugin.js';
import type { ExtismLogLine } from './guest-functions.js';

/** The corpus's WASI guest (testkit `plain/wat-wasi`; see its source for each export). */
const WASI_GUEST = readFileSync(
  new URL('../../../guests/corpus/plain/wat-wasi/plugin.wasm', import.meta.url),
);

// WASI errno values the guest reports.
const ERRNO_NOENT = 44;
const ERRNO_NOTCAPABLE = 76;
const ERRNO_PERM = 63;
const ERRNO_ROFS = 69;

const base = mkdtempSync(join(tmpdir(), 'plinth-wasi-'));
const data = join(base, 'data');
const reference = join(base, 'reference');
mkdirSync(data);
mkdirSync(reference);
writeFileSync(join(data, 'note.txt'), 'hello from the host');
writeFileSync(join(reference, 'fixed.txt'), 'read me, never change me');
writeFileSync(join(base, 'secret.txt'), 'outside every mount');
// Links the host left inside a mounted folder, pointing out of it: to a file, to a folder, to nothing.
symlinkSync(join(base, 'secret.txt'), join(data, 'way-out'));
symlinkSync(base, join(data, 'folder-out'));
symlinkSync(join(base, 'planted.txt'), join(data, 'dangling'));
// And one that stays inside, which works as a link should.
mkdirSync(join(data, 'sub'));
writeFileSync(join(data, 'sub', 'deep.txt'), 'deeper');
symlinkSync(join(data, 'sub'), join(data, 'sub-link'));

afterAll(() => rmSync(base, { recursive: true, force: true }));

const LANES = [
  { lane: 'in-thread', factory: undefined },
  { lane: 'isolated', factory: createIsolatedLane },
] as const;

const opened: GenericPlugin[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((plugin) => plugin.close()));
});

async function open(options: Partial<OpenPluginOptions> = {}) {
  const lines: ExtismLogLine[] = [];
  const plugin = await openPlugin({
    manifest: {
      wasm: [{ data: WASI_GUEST }],
      allowed_paths: { [data]: '/data', [`ro:${reference}`]: '/reference' },
    },
    wasi: nodeWasi,
    guestLog: (line) => lines.push(line),
    pluginId: 'acme.wasi',
    ...options,
  });
  opened.push(plugin);
  return { plugin, lines };
}

describe.each(LANES)("Plinth's WASI for generic plugins ($lane lane)", ({ factory }) => {
  const lane = factory ? { lane: factory } : {};

  it('reads and writes files under a mounted folder', async () => {
    const { plugin } = await open(lane);
    expect(await plugin.callText('read', 'note.txt')).toBe('hello from the host');
    expect(await plugin.callText('write', 'made-by-guest.txt')).toBe('ok');
    expect(readFileSync(join(data, 'made-by-guest.txt'), 'utf8')).toBe('written by wat-wasi');
    expect(await plugin.callText('read', 'missing.txt')).toBe(`errno:${ERRNO_NOENT}`);
  });

  it('keeps the guest inside its folders: no path out, no link out, no new links', async () => {
    const { plugin } = await open(lane);
    expect(await plugin.callText('read', '../secret.txt')).toBe(`errno:${ERRNO_NOTCAPABLE}`);
    expect(await plugin.callText('read', '/etc/passwd')).toBe(`errno:${ERRNO_NOTCAPABLE}`);
    expect(await plugin.callText('read', 'way-out')).toBe(`errno:${ERRNO_NOTCAPABLE}`);
    expect(await plugin.callText('read', 'folder-out/secret.txt')).toBe(`errno:${ERRNO_NOTCAPABLE}`);
    expect(await plugin.callText('read', 'sub/../../secret.txt')).toBe(`errno:${ERRNO_NOTCAPABLE}`);
    // Creating through a dangling link would write wherever it points.
    expect(await plugin.callText('write', 'dangling')).toBe(`errno:${ERRNO_NOTCAPABLE}`);
    expect(existsSync(join(base, 'planted.txt'))).toBe(false);
    expect(await plugin.callText('symlink', 'escape')).toBe(`errno:${ERRNO_PERM}`);
    // Below the mount, and through a link that stays inside it, paths work.
    expect(await plugin.callText('read', 'sub/deep.txt')).toBe('deeper');
    expect(await plugin.callText('read', 'sub-link/deep.txt')).toBe('deeper');
  });

  it('mounts a ro: folder read-only: reads work, creating, truncating and new folders do not', async () => {
    const { plugin } = await open(lane);
    expect(await plugin.callText('read_ro', 'fixed.txt')).toBe('read me, never change me');
    expect(await plugin.callText('write_ro', 'fixed.txt')).toBe(`errno:${ERRNO_ROFS}`);
    expect(await plugin.callText('write_ro', 'new.txt')).toBe(`errno:${ERRNO_ROFS}`);
    expect(await plugin.callText('mkdir_ro', 'sub')).toBe(`errno:${ERRNO_ROFS}`);
    expect(readFileSync(join(reference, 'fixed.txt'), 'utf8')).toBe('read me, never change me');
  });

  it('hands stdout and stderr lines to the guest log, with their source', async () => {
    const { plugin, lines } = await open(lane);
    expect(await plugin.callText('print', 'first line\nsecond')).toBe('ok');
    // The isolated lane's worker posts its lines; they arrive with the call's answer or just after.
    for (let turn = 0; lines.length < 3 && turn < 50; turn += 1) await new Promise((r) => setTimeout(r, 10));
    expect(lines).toEqual([
      { level: 'info', message: 'first line', source: 'stdout' },
      { level: 'warn', message: 'to stderr', source: 'stderr' },
      { level: 'info', message: 'second', source: 'stdout' },
    ]);
  });

  it('turns proc_exit into guest_exit with the exit code, and serves the next call', async () => {
    const { plugin } = await open(lane);
    const failure = await plugin.call('exit').catch((error: unknown) => error);
    expect(PlinthError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({ code: 'guest_exit', context: { exitCode: 3, pluginId: 'acme.wasi' } });
    expect((failure as Error).message).toContain('exited with code 3');
    expect(await plugin.callText('read', 'note.txt')).toBe('hello from the host');
  });
});

describe('allowed_paths refusals', () => {
  it('needs the wasi option, and a folder that exists', async () => {
    await expect(
      openPlugin({ manifest: { wasm: [{ data: WASI_GUEST }], allowed_paths: { [data]: '/data' } } }),
    ).rejects.toMatchObject({ code: 'invalid_options', message: expect.stringContaining('wasi option') });
    await expect(
      openPlugin({
        manifest: { wasm: [{ data: WASI_GUEST }], allowed_paths: { [join(base, 'nope')]: '/data' } },
        wasi: nodeWasi,
      }),
    ).rejects.toMatchObject({ code: 'invalid_options', message: expect.stringContaining('is not a folder') });
  });
});
