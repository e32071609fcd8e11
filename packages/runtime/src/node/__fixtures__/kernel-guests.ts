import { wat } from '../../__fixtures__/wat.js';

/** A block this large becomes a 100 MiB string if rc13 decodes it: past any heap the tests give a worker. */
export const HUGE_BYTES = 100 * 1024 * 1024;
export const KEY_BYTES = 4 * 1024;
/** A config key past KEY_BYTES, which a host may still configure and its guest read (`config_long_key`). */
export const LONG_CONFIG_KEY = 'k'.repeat(KEY_BYTES + 10);

/**
 * Guests that hand the Extism kernel blocks it would turn into strings on the worker's heap. Each export
 * answers a word (`missing`, `set`, `pong`), a value it found, or fails; a block is all zeros unless
 * written; huge blocks are `hugeBytes` long. `hoard(n, keyBytes)` keeps n vars of one byte under distinct keys of `keyBytes` bytes (valid UTF-8).
 */
export function kernelGuest(options: {
  hoardVars: number;
  hoardKeyBytes: number;
  hugeBytes?: number;
}): Promise<Uint8Array<ArrayBuffer>> {
  const huge = options.hugeBytes ?? HUGE_BYTES;
  return wat(`(module
    (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
    (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
    (import "extism:host/env" "config_get" (func $config_get (param i64) (result i64)))
    (import "extism:host/env" "var_get" (func $var_get (param i64) (result i64)))
    (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))
    (import "extism:host/env" "error_set" (func $error_set (param i64)))
    (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
    (import "extism:host/env" "length" (func $length (param i64) (result i64)))
    (import "extism:host/env" "load_u8" (func $load_u8 (param i64) (result i32)))
    (import "extism:host/user" "host_file_exists" (func $host_file_exists (param i64) (result i64)))
    (memory (export "memory") 1 1)
    (data (i32.const 0) "missing")
    (data (i32.const 8) "found")
    (data (i32.const 16) "set")
    (data (i32.const 24) "pong")
    (data (i32.const 32) "greeting")
    (data (i32.const 4096) "${LONG_CONFIG_KEY}")
    (func $text (param $ptr i32) (param $len i32) (result i64)
      (local $block i64) (local $i i32)
      (local.set $block (call $alloc (i64.extend_i32_u (local.get $len))))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (call $store_u8 (i64.add (local.get $block) (i64.extend_i32_u (local.get $i)))
          (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
      (local.get $block))
    (func $say (param $ptr i32) (param $len i32)
      (call $output_set (call $text (local.get $ptr) (local.get $len)) (i64.extend_i32_u (local.get $len))))
    ;; "found" and the value, or "missing"
    (func $answer (param $handle i64)
      (if (i64.eqz (local.get $handle))
        (then (call $say (i32.const 0) (i32.const 7)))
        (else (call $output_set (local.get $handle) (call $length (local.get $handle))))))
    (func $hoard (param $count i32) (param $keyBytes i64)
      (local $key i64) (local $value i64) (local $i i32)
      (local.set $key (call $alloc (local.get $keyBytes)))
      (local.set $value (call $alloc (i64.const 1)))
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        ;; seven bits per byte keep the key valid UTF-8, so every key is distinct
        (call $store_u8 (local.get $key) (i32.and (local.get $i) (i32.const 0x7f)))
        (call $store_u8 (i64.add (local.get $key) (i64.const 1))
          (i32.and (i32.shr_u (local.get $i) (i32.const 7)) (i32.const 0x7f)))
        (call $store_u8 (i64.add (local.get $key) (i64.const 2))
          (i32.and (i32.shr_u (local.get $i) (i32.const 14)) (i32.const 0x7f)))
        (call $var_set (local.get $key) (local.get $value))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))
    (func (export "hoard_then_huge_config_key") (result i32)
      (call $hoard (i32.const ${options.hoardVars}) (i64.const ${options.hoardKeyBytes}))
      (call $answer (call $config_get (call $alloc (i64.const ${huge}))))
      (i32.const 0))
    (func (export "hoard_forever") (result i32)
      (call $hoard (i32.const -1) (i64.const ${options.hoardKeyBytes}))
      (i32.const 0))
    (func (export "config_greeting") (result i32)
      (call $answer (call $config_get (call $text (i32.const 32) (i32.const 8))))
      (i32.const 0))
    (func (export "config_long_key") (result i32)
      (call $answer (call $config_get (call $text (i32.const 4096) (i32.const ${LONG_CONFIG_KEY.length}))))
      (i32.const 0))
    (func (export "huge_var_key") (result i32)
      (call $var_set (call $alloc (i64.const ${huge})) (call $alloc (i64.const 1)))
      (call $say (i32.const 16) (i32.const 3))
      (i32.const 0))
    (func (export "huge_var_get") (result i32)
      (call $answer (call $var_get (call $alloc (i64.const ${huge}))))
      (i32.const 0))
    (func (export "var_round_trip") (result i32)
      (call $var_set (call $text (i32.const 32) (i32.const 8)) (call $text (i32.const 24) (i32.const 4)))
      (call $answer (call $var_get (call $text (i32.const 32) (i32.const 8))))
      (i32.const 0))
    (func (export "huge_error") (result i32)
      (call $error_set (call $alloc (i64.const ${huge})))
      (i32.const 1))
    (func (export "short_error") (result i32)
      (call $error_set (call $text (i32.const 32) (i32.const 8)))
      (i32.const 1))
    ;; a block past the bridge's inline size, still the guest's after a host function read it
    (func (export "reuse_host_input") (result i32)
      (local $block i64)
      (local.set $block (call $alloc (i64.const 131072)))
      (call $store_u8 (i64.add (local.get $block) (i64.const 100000)) (i32.const 0x70))
      (drop (call $host_file_exists (local.get $block)))
      (if (i32.eq (call $load_u8 (i64.add (local.get $block) (i64.const 100000))) (i32.const 0x70))
        (then (call $say (i32.const 24) (i32.const 4)))
        (else (call $say (i32.const 0) (i32.const 7))))
      (i32.const 0))
    ;; 20 keys of 10 MiB each read and freed by config_get and var_get: 100 MiB of blocks still fit after
    (func (export "lookups_free_keys") (result i32)
      (local $i i32)
      (block $done (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const 10)))
        (drop (call $config_get (call $alloc (i64.const 10485760))))
        (drop (call $var_get (call $alloc (i64.const 10485760))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
      (if (i64.eqz (call $alloc (i64.const 104857600)))
        (then (call $say (i32.const 0) (i32.const 7)))
        (else (call $say (i32.const 24) (i32.const 4))))
      (i32.const 0))
    (func (export "ping") (result i32)
      (call $say (i32.const 24) (i32.const 4))
      (i32.const 0)))`);
}
