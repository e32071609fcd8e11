import loadWabt from 'wabt';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInSandbox } from './run-in-sandbox.js';
import type { WasiSandboxRun } from './wasi-messages.js';

// The worker's half of the browser WASI runner, run here in Node (browser_wasi_shim needs only
// WebAssembly): the in-memory sandbox, its byte cap, the output limit and how failures are worded. The
// whole runner, worker and timeout included, passes the WASI contract in Chromium
// (test/browser/host-browser-contracts.test.ts).

const PRELUDE = String.raw`
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 2)
  (data (i32.const 200) "out.txt")
  (data (i32.const 300) "hello!")
  (data (i32.const 400) "done\n")
  ;; A failing call exits with 100 + its errno.
  (func $check (param $errno i32)
    (if (local.get $errno) (then (call $exit (i32.add (i32.const 100) (local.get $errno))))))
  ;; Writes len bytes at ptr to fd.
  (func $write (param $fd i32) (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (call $check (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
  ;; Opens out.txt (created, truncated) and writes "hello!" at offset; answers the fd.
  (func $write_out (param $offset i64) (result i32)
    (call $check (call $path_open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 7) (i32.const 9)
      (i64.const 66) (i64.const 66) (i32.const 0) (i32.const 32)))
    (i32.store (i32.const 0) (i32.const 300))
    (i32.store (i32.const 4) (i32.const 6))
    (call $check (call $fd_pwrite (i32.load (i32.const 32)) (i32.const 0) (i32.const 1) (local.get $offset)
      (i32.const 8)))
    (i32.load (i32.const 32)))`;

/** The test modules: each a WASI command made of the prelude and its `_start`. */
const START: Record<string, string> = {
  // stdin to stdout, then "done\n" to stderr.
  echo: String.raw`
    (local $n i32)
    (loop $more
      (i32.store (i32.const 0) (i32.const 1024))
      (i32.store (i32.const 4) (i32.const 60000))
      (call $check (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)))
      (local.set $n (i32.load (i32.const 16)))
      (if (local.get $n) (then (call $write (i32.const 1) (i32.const 1024) (local.get $n)) (br $more))))
    (call $write (i32.const 2) (i32.const 400) (i32.const 5))`,
  // Its argv buffer, NULs included, to stdout.
  args: String.raw`
    (call $check (call $args_sizes (i32.const 16) (i32.const 20)))
    (call $check (call $args_get (i32.const 1024) (i32.const 4096)))
    (call $write (i32.const 1) (i32.const 4096) (i32.load (i32.const 20)))`,
  // "hello!" at offset 0 of a fresh out.txt, twice over: 6 bytes in the end, 12 ever written.
  rewrite: String.raw`
    (drop (call $write_out (i64.const 0)))
    (drop (call $write_out (i64.const 0)))`,
  // "hello!" at offset 1000 of out.txt: a 1006-byte file.
  sparse: String.raw`(drop (call $write_out (i64.const 1000)))`,
  // At a terabyte.
  huge: String.raw`(drop (call $write_out (i64.const 1099511627776)))`,
  trap: 'unreachable',
};

let modules: Record<string, Uint8Array>;
beforeAll(async () => {
  const wabt = await loadWabt();
  const compile = (name: string, text: string) => {
    const parsed = wabt.parseWat(`${name}.wat`, text);
    try {
      parsed.resolveNames();
      parsed.validate();
      return Uint8Array.from(parsed.toBinary({}).buffer);
    } finally {
      parsed.destroy();
    }
  };
  modules = Object.fromEntries(
    Object.entries(START).map(([name, start]) => [
      name,
      compile(name, `(module ${PRELUDE} (func (export "_start") ${start}))`),
    ]),
  );
  modules['foreign'] = compile(
    'foreign',
    '(module (import "wasi_snapshot_preview1" "no_such_call" (func)) (memory (export "memory") 1) (func (export "_start")))',
  );
});

const encoder = new TextEncoder();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function run(name: string, overrides: Partial<WasiSandboxRun> = {}) {
  return runInSandbox({
    module: modules[name] ?? new Uint8Array(),
    args: [name],
    env: {},
    stdin: new Uint8Array(),
    files: new Map(),
    outputFiles: new Map(),
    maxOutputBytes: 1024,
    maxSandboxBytes: 4096,
    ...overrides,
  });
}

describe('runInSandbox (browser_wasi_shim in memory)', () => {
  it('runs a command with stdin, stdout and stderr', () => {
    expect(run('echo', { stdin: encoder.encode('hello wasi\n') })).toEqual({
      exitCode: 0,
      stdout: encoder.encode('hello wasi\n'),
      stderr: encoder.encode('done\n'),
      files: new Map(),
    });
  });

  it('sizes argv in UTF-8 bytes, so non-ASCII arguments arrive whole (bjorn3/browser_wasi_shim#109)', () => {
    const ran = run('args', { args: ['args', 'Zoë', '日本'] });
    expect('stdout' in ran && text(ran.stdout)).toBe('args\0Zoë\0日本\0');
  });

  it('holds only the input files, in folders as their paths say, and reads back the files asked for', () => {
    const ran = run('sparse', {
      files: new Map([
        ['in.txt', encoder.encode('x')],
        ['nested/deeper/x.bin', encoder.encode('y')],
      ]),
      outputFiles: new Map([
        ['/out.txt', 'out.txt'],
        ['nested/deeper/x.bin', 'nested/deeper/x.bin'],
        // A folder and a missing file are not files that exist.
        ['nested', 'nested'],
        ['never.txt', 'never.txt'],
      ]),
      maxOutputBytes: 2000,
    });
    expect('files' in ran && ran.files).toEqual(
      new Map([
        ['/out.txt', new Uint8Array([...new Uint8Array(1000), ...encoder.encode('hello!')])],
        ['nested/deeper/x.bin', encoder.encode('y')],
      ]),
    );
  });

  it('refuses input files that cannot all be written', () => {
    const bytes = encoder.encode('x');
    expect(
      run('echo', {
        files: new Map([
          ['a', bytes],
          ['a/b', bytes],
        ]),
      }),
    ).toEqual({
      failure: 'failed',
      message: 'could not write input file "a/b": "a" is a file',
    });
    expect(
      run('echo', {
        files: new Map([
          ['a/b', bytes],
          ['a', bytes],
        ]),
      }),
    ).toEqual({
      failure: 'failed',
      message: 'could not write input file "a": it is a folder',
    });
    expect(run('echo', { files: new Map([['big.bin', new Uint8Array(4097)]]) })).toEqual({
      failure: 'failed',
      message:
        'could not write input file "big.bin": the input files hold more than the sandbox\'s 4096 bytes (maxSandboxBytes)',
    });
  });

  it('fails a write that would take the files past maxSandboxBytes with ENOSPC, counting what they hold now', () => {
    // 1006 bytes do not fit beside a 100-byte input file under 1100; the module exits 100 + ENOSPC (51).
    const input = new Map([['in.bin', new Uint8Array(100)]]);
    expect(run('sparse', { files: input, maxSandboxBytes: 1100 })).toMatchObject({ exitCode: 151 });
    expect(run('sparse', { files: input, maxSandboxBytes: 1106 })).toMatchObject({ exitCode: 0 });
    // Truncating frees what the file held: twelve bytes were written, six are kept.
    expect(run('rewrite', { maxSandboxBytes: 6 })).toMatchObject({ exitCode: 0 });
    expect(run('rewrite', { maxSandboxBytes: 5 })).toMatchObject({ exitCode: 151 });
    // stdin is not the sandbox's: it does not count.
    expect(run('rewrite', { maxSandboxBytes: 6, stdin: new Uint8Array(100) })).toMatchObject({ exitCode: 0 });
    expect(run('huge')).toMatchObject({ exitCode: 151 });
  });

  it('answers out_of_memory when the files cannot be allocated', () => {
    expect(run('huge', { maxSandboxBytes: Number.MAX_SAFE_INTEGER })).toEqual({
      failure: 'out_of_memory',
      message: expect.stringMatching(/^the module ran out of memory: RangeError: /) as unknown,
    });
  });

  it('stops the module once stdout and stderr cross maxOutputBytes, naming the one that crossed', () => {
    expect(run('echo', { stdin: encoder.encode('too long'), maxOutputBytes: 4 })).toEqual({
      failure: 'output_too_large',
      message: 'stdout makes the output larger than the limit of 4 bytes (maxOutputBytes)',
    });
    expect(run('echo', { stdin: encoder.encode('abc'), maxOutputBytes: 7 })).toEqual({
      failure: 'output_too_large',
      message: 'stderr makes the output larger than the limit of 7 bytes (maxOutputBytes)',
    });
    expect(run('sparse', { outputFiles: new Map([['out.txt', 'out.txt']]), maxOutputBytes: 1005 })).toEqual({
      failure: 'output_too_large',
      message: 'output file "out.txt" makes the output larger than the limit of 1005 bytes (maxOutputBytes)',
    });
  });

  it('words traps, bytes that do not compile and imports the shim lacks', () => {
    expect(run('trap')).toEqual({
      failure: 'trap',
      message: 'the module trapped: RuntimeError: unreachable',
    });
    expect(run('garbage', { module: encoder.encode('not wasm') })).toEqual({
      failure: 'invalid_module',
      message: expect.stringMatching(/^the module is not valid WebAssembly: CompileError: /) as unknown,
    });
    expect(run('foreign')).toEqual({
      failure: 'invalid_module',
      message: expect.stringMatching(
        /^the module could not be instantiated: LinkError: .*no_such_call/,
      ) as unknown,
    });
  });
});
