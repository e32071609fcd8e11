import type { WasiRun } from '@plinth/host-kit';
import type { WasiScriptAnswer } from '../twins/wasi.js';

/** The modules the WASI contract suite runs. */
export type WasiContractModule = 'echo' | 'args' | 'copy' | 'exit7' | 'loop' | 'grow' | 'trap';

/** The contract modules' names, in the order the suite introduces them. */
export const WASI_CONTRACT_MODULE_NAMES: readonly WasiContractModule[] = [
  'echo',
  'args',
  'copy',
  'exit7',
  'loop',
  'grow',
  'trap',
];

/**
 * What each contract module does, as WAT (WASI preview1 commands). A runner on a real engine runs these,
 * compiled by any WAT tool; a twin plays them with `playWasiContractModule`:
 *
 * - `echo`: copies stdin to stdout, then writes `echo done\n` to stderr; exit code 0.
 * - `args`: writes its argv to stdout, one argument per line; exits with argc.
 * - `copy`: copies `in.txt` to `out.txt` in its root; a failing call exits with 100 + the WASI errno.
 * - `exit7`: exits with code 7.
 * - `loop`: never returns.
 * - `grow`: declares no memory maximum, grows until `memory.grow` fails, exits with its size in pages.
 * - `trap`: traps at once (`unreachable`).
 */
export const WASI_CONTRACT_WAT: Readonly<Record<WasiContractModule, string>> = {
  echo: String.raw`
    (module
      (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 2)
      (data (i32.const 100) "echo done\n")
      (func (export "_start")
        (local $n i32)
        (loop $more
          (i32.store (i32.const 0) (i32.const 1024))
          (i32.store (i32.const 4) (i32.const 60000))
          (i32.store (i32.const 16) (i32.const 0))
          (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16)))
          (local.set $n (i32.load (i32.const 16)))
          (if (i32.gt_u (local.get $n) (i32.const 0))
            (then
              (i32.store (i32.const 4) (local.get $n))
              (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 20)))
              (br $more))))
        (i32.store (i32.const 0) (i32.const 100))
        (i32.store (i32.const 4) (i32.const 10))
        (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 20)))))`,
  args: String.raw`
    (module
      (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "args_get" (func $args (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 2)
      (func (export "_start")
        (local $i i32) (local $size i32)
        (drop (call $sizes (i32.const 0) (i32.const 4)))
        (drop (call $args (i32.const 1024) (i32.const 4096)))
        (local.set $size (i32.load (i32.const 4)))
        (block $done
          (loop $scan
            (br_if $done (i32.ge_u (local.get $i) (local.get $size)))
            (if (i32.eqz (i32.load8_u (i32.add (i32.const 4096) (local.get $i))))
              (then (i32.store8 (i32.add (i32.const 4096) (local.get $i)) (i32.const 10))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $scan)))
        (i32.store (i32.const 16) (i32.const 4096))
        (i32.store (i32.const 20) (local.get $size))
        (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
        (call $exit (i32.load (i32.const 0)))))`,
  copy: String.raw`
    (module
      (import "wasi_snapshot_preview1" "path_open"
        (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 2)
      (data (i32.const 200) "in.txt")
      (data (i32.const 210) "out.txt")
      (func $check (param $errno i32)
        (if (local.get $errno) (then (call $exit (i32.add (i32.const 100) (local.get $errno))))))
      (func (export "_start")
        (call $check (call $open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 6) (i32.const 0)
          (i64.const 66) (i64.const 66) (i32.const 0) (i32.const 32)))
        (i32.store (i32.const 0) (i32.const 1024))
        (i32.store (i32.const 4) (i32.const 60000))
        (call $check (call $fd_read (i32.load (i32.const 32)) (i32.const 0) (i32.const 1) (i32.const 16)))
        (call $check (call $open (i32.const 3) (i32.const 0) (i32.const 210) (i32.const 7) (i32.const 9)
          (i64.const 66) (i64.const 66) (i32.const 0) (i32.const 36)))
        (i32.store (i32.const 4) (i32.load (i32.const 16)))
        (call $check (call $fd_write (i32.load (i32.const 36)) (i32.const 0) (i32.const 1) (i32.const 20)))
        (drop (call $close (i32.load (i32.const 32))))
        (drop (call $close (i32.load (i32.const 36))))))`,
  exit7: String.raw`
    (module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (call $exit (i32.const 7))))`,
  loop: String.raw`
    (module
      (memory (export "memory") 1)
      (func (export "_start") (loop $forever (br $forever))))`,
  grow: String.raw`
    (module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (loop $grow
          (br_if $grow (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
        (call $exit (memory.size))))`,
  trap: String.raw`
    (module
      (memory (export "memory") 1)
      (func (export "_start") unreachable))`,
};

const encoder = new TextEncoder();
/** WASI's errno for a missing file (ENOENT). */
const WASI_ENOENT = 44;

/**
 * The program half of the contract for twins: what a contract module would answer for a run, as a
 * `createScriptedWasiRunner` script. `loop` never settles (the twin's timeout ends it).
 */
export function playWasiContractModule(
  name: WasiContractModule,
  run: WasiRun,
): WasiScriptAnswer | Promise<WasiScriptAnswer> {
  switch (name) {
    case 'echo':
      return { exitCode: 0, stdout: run.stdin, stderr: 'echo done\n' };
    case 'args':
      return { exitCode: run.args.length, stdout: run.args.map((arg) => `${arg}\n`).join('') };
    case 'copy': {
      const input = run.files.get('in.txt');
      return input === undefined
        ? { exitCode: 100 + WASI_ENOENT }
        : { exitCode: 0, files: { 'out.txt': input } };
    }
    case 'exit7':
      return { exitCode: 7 };
    case 'loop':
      return new Promise<never>(() => {});
    case 'grow':
      return { exitCode: run.memoryMaxPages };
    case 'trap':
      return { failure: 'trap', message: 'the module trapped: RuntimeError: unreachable' };
  }
}

/** Stand-in bytes for a twin to tell the contract modules apart: a WebAssembly header and the name. */
export function wasiContractStandIn(name: WasiContractModule): Uint8Array {
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...encoder.encode(name)]);
}
