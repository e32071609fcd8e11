import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAllowAllChecker, createMemoryAuditSink, createPolicyChecker } from '@plinth/permissions';
import type { HostAnswer, HostCallContext, HostBundle } from '@plinth/host-kit';
import { getHostFunction } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { createWasiBundle, toSandboxPath, type WasiBundleOptions } from './index.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./__fixtures__/${name}.wasm`, import.meta.url)));
const MODULES: Record<string, Uint8Array> = Object.fromEntries(
  [
    'echo',
    'args',
    'copy',
    'escape',
    'symlink',
    'exit7',
    'loop',
    'grow',
    'trap',
    'import-env',
    'no-start',
  ].map((name) => [name, fixture(name)]),
);
const context: HostCallContext = { pluginId: 'acme.tools', exportName: 'handle_command' };
const b64 = (text: string) => Buffer.from(text).toString('base64');
const unb64 = (base64: string) => Buffer.from(base64, 'base64').toString();

function setup(overrides: Partial<WasiBundleOptions> = {}) {
  const tempDirs: string[] = [];
  const reads: [string, string][] = [];
  const bundle: HostBundle = createWasiBundle({
    permissions: createAllowAllChecker(),
    readModule: (pluginId, key) => {
      reads.push([pluginId, key]);
      return MODULES[key];
    },
    timeoutMs: 5_000,
    onTempDir: (path) => tempDirs.push(path),
    ...overrides,
  });
  const spec = getHostFunction('host_run_wasi_module');
  /** At the wire: request JSON in, answer JSON out (failures in the W shape). */
  const call = async (request: unknown, ctx = context): Promise<Record<string, unknown>> => {
    const decoded = spec.decodeRequest(JSON.stringify(request));
    if (!decoded.ok) return JSON.parse(spec.failureOutput(decoded.error.message)) as Record<string, unknown>;
    const answer: HostAnswer = await bundle.host_run_wasi_module!(decoded.value, ctx);
    const text =
      typeof answer === 'string' ? answer : spec.failureOutput((answer as { failure: string }).failure);
    return JSON.parse(text) as Record<string, unknown>;
  };
  return { call, tempDirs, reads };
}

const failure = (message: string) => ({
  exit_code: -1,
  stdout: '',
  stderr: `host_run_wasi_module: ${message}`,
  error: `host_run_wasi_module: ${message}`,
});

describe('host_run_wasi_module (node:wasi)', () => {
  it('echoes stdin to stdout, captures stderr, and removes its temp dir', async () => {
    const { call, tempDirs, reads } = setup();
    expect(await call({ module_key: 'echo', stdin: b64('hello wasi\n') })).toEqual({
      exit_code: 0,
      stdout: b64('hello wasi\n'),
      stderr: 'echo done\n',
    });
    expect(reads).toEqual([['acme.tools', 'echo']]);
    expect(tempDirs).toHaveLength(1);
    expect(existsSync(tempDirs[0]!)).toBe(false);
  });

  it('passes argv with the module key as argv[0] and returns the exit code', async () => {
    const { call } = setup();
    const answer = await call({ module_key: 'args', args: ['--flag', 'two words'] });
    expect(answer.exit_code).toBe(3);
    expect(unb64(answer.stdout as string)).toBe('args\n--flag\ntwo words\n');
    expect(await call({ module_key: 'exit7' })).toEqual({ exit_code: 7, stdout: '', stderr: '' });
  });

  it('writes input files first and reads back the output files that exist', async () => {
    const { call } = setup();
    expect(
      await call({
        module_key: 'copy',
        files: { '/in.txt': b64('copied bytes'), 'nested/deeper/x.bin': b64('x') },
        output_files: ['out.txt', '/nested/deeper/x.bin', 'never-written.txt'],
      }),
    ).toEqual({
      exit_code: 0,
      stdout: '',
      stderr: '',
      files: { 'out.txt': b64('copied bytes'), '/nested/deeper/x.bin': b64('x') },
    });
  });

  it('keeps the module inside its root: ../../x from the root lands in the root', async () => {
    const { call } = setup();
    expect(await call({ module_key: 'escape', output_files: ['plinth-wasi-escaped.txt'] })).toEqual({
      exit_code: 0,
      stdout: '',
      stderr: '',
      files: { 'plinth-wasi-escaped.txt': '' },
    });
    expect(existsSync(join(tmpdir(), 'plinth-wasi-escaped.txt'))).toBe(false);
  });

  it('never reads a planted symlink that leads out of the sandbox', async () => {
    const { call } = setup();
    // node:wasi refuses the absolute link (EPERM 63), makes the relative one, and resolves it inside the
    // root when the module opens it (ENOENT 44); the host must still not follow it when collecting.
    const ran = await call({ module_key: 'symlink' });
    expect([...Buffer.from(ran.stdout as string, 'base64')]).toEqual([63, 0, 44]);
    expect(await call({ module_key: 'symlink', output_files: ['leak.txt', 'leak2.txt'] })).toEqual(
      failure('output file "leak2.txt" leads outside the sandbox'),
    );
  });

  it.each([
    ['../outside.txt', 'it contains a ".." segment'],
    ['a/../../b', 'it contains a ".." segment'],
    ['a\\..\\b', 'it contains a backslash (use /)'],
    ['a\u0000b', 'it contains a NUL character'],
    ['/', 'it names the sandbox root, not a file'],
  ])('refuses the input path %j before any I/O', async (path, why) => {
    const { call, reads, tempDirs } = setup();
    expect(await call({ module_key: 'copy', files: { [path]: b64('x') } })).toEqual(
      failure(`input file path ${JSON.stringify(path)} is refused: ${why}`),
    );
    expect(await call({ module_key: 'copy', output_files: [path] })).toEqual(
      failure(`output file path ${JSON.stringify(path)} is refused: ${why}`),
    );
    expect(reads).toEqual([]);
    expect(tempDirs).toEqual([]);
  });

  it('stops a module that never returns at the timeout and cleans up', async () => {
    const { call, tempDirs } = setup({ timeoutMs: 300 });
    expect(await call({ module_key: 'loop' })).toEqual(
      failure('timed out after 300 ms (timeoutMs); the module was stopped'),
    );
    expect(existsSync(tempDirs[0]!)).toBe(false);
    // The host keeps serving.
    expect((await call({ module_key: 'exit7' })).exit_code).toBe(7);
  });

  it('caps linear memory to memoryMaxPages', async () => {
    const { call } = setup({ memoryMaxPages: 4 });
    expect((await call({ module_key: 'grow' })).exit_code).toBe(4);
  });

  it('answers traps, foreign imports, missing and invalid modules in the W shape', async () => {
    const { call } = setup();
    expect(await call({ module_key: 'trap' })).toEqual(
      failure('the module trapped: RuntimeError: unreachable'),
    );
    expect(await call({ module_key: 'import-env' })).toEqual(
      failure(
        'module "import-env" imports env.format_disk; only wasi_snapshot_preview1 functions are provided',
      ),
    );
    expect(await call({ module_key: 'no-start' })).toEqual(
      failure('module "no-start" is not a WASI command: it exports no _start'),
    );
    expect(await call({ module_key: 'echo', args: ['a\u0000b'] })).toEqual(
      failure('args[0] contains a NUL character'),
    );
    expect(await call({ module_key: 'missing' })).toEqual(
      failure('module "missing" not found in plugin storage'),
    );
    MODULES['garbage'] = new TextEncoder().encode('not wasm');
    expect((await call({ module_key: 'garbage' })).error).toMatch(
      /^host_run_wasi_module: module "garbage" is not valid WebAssembly: /,
    );
  });

  it('refuses output over maxOutputBytes', async () => {
    const { call } = setup({ maxOutputBytes: 4 });
    expect(await call({ module_key: 'echo', stdin: b64('too long') })).toEqual(
      failure('stdout makes the output larger than the limit of 4 bytes (maxOutputBytes)'),
    );
  });

  it('checks plugin_storage on module_key first and answers the denial in the W shape', async () => {
    const audit = createMemoryAuditSink();
    const { call, reads } = setup({
      permissions: createPolicyChecker({
        policy: {
          plugins: { 'acme.tools': { permissions: { plugin_storage: { include: [], exclude: ['all'] } } } },
        },
      }),
      audit,
    });
    expect(await call({ module_key: 'echo' })).toEqual(
      failure("Permission denied for plugin 'acme.tools': plugin_storage on 'echo'"),
    );
    expect(reads).toEqual([]);
  });

  it('malformed requests answer the W shape', async () => {
    const { call } = setup();
    expect((await call({ module_key: '' })).exit_code).toBe(-1);
    expect((await call({ module_key: 'echo', stdin: '***' })).error).toMatch(/^host_run_wasi_module: /);
  });
});

/** This process's open fds that point into one of `dirs` (Linux: /proc/self/fd). */
function fdsInto(dirs: readonly string[]): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return dirs.some((dir) => target.startsWith(dir)) ? [target] : [];
    } catch {
      return [];
    }
  });
}

describe.runIf(process.platform === 'linux')('file descriptors', () => {
  it('leaves none open into its temp dirs, after normal runs and after a timeout', async () => {
    const { call, tempDirs } = setup({ timeoutMs: 300 });
    await call({ module_key: 'copy', files: { 'in.txt': b64('x') }, output_files: ['out.txt'] });
    await call({ module_key: 'echo', stdin: b64('x') });
    expect((await call({ module_key: 'loop' })).exit_code).toBe(-1);
    expect(tempDirs).toHaveLength(3);
    expect(fdsInto(tempDirs)).toEqual([]);
  });
});

describe('toSandboxPath', () => {
  it('treats /a and a alike and drops . segments', () => {
    expect(toSandboxPath('/a/./b//c')).toEqual({ ok: true, path: 'a/b/c' });
    expect(toSandboxPath('a')).toEqual({ ok: true, path: 'a' });
  });
});
