import { readFileSync } from 'node:fs';
import { wat } from '../../__fixtures__/wat.js';

/** The corpus's generic kv guest (testkit `plain/wat-kv`), its source read so a test can move its imports. */
const KV_SOURCE = readFileSync(
  new URL('../../../../guests/corpus/plain/wat-kv/plugin.wat', import.meta.url),
  'utf8',
);

/**
 * The kv guest (`write`, `read`, `log`, `bad_offset`, `spin`, `config`; see its source), with its
 * `kv_read`/`kv_write` imported from `namespace`.
 */
export function kvGuest(namespace = 'extism:host/user'): Promise<Uint8Array<ArrayBuffer>> {
  return wat(KV_SOURCE.replaceAll('"extism:host/user"', JSON.stringify(namespace)));
}

/** A module named `math` exporting `double(i64) -> i64`, and a main module that links it. */
export async function linkedGuests(): Promise<{
  math: Uint8Array<ArrayBuffer>;
  main: Uint8Array<ArrayBuffer>;
}> {
  const math = await wat(`
(module
  (func (export "double") (param i64) (result i64) (i64.mul (local.get 0) (i64.const 2))))`);
  const main = await wat(`
(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "math" "double" (func $double (param i64) (result i64)))
  (memory (export "memory") 1 1)
  ;; output: one byte, (input length × 2) as a character code offset from "0"
  (func (export "twice_length") (result i32)
    (local $out i64)
    (local.set $out (call $alloc (i64.const 1)))
    (call $store_u8 (local.get $out)
      (i32.add (i32.const 48) (i32.wrap_i64 (call $double (call $input_length)))))
    (call $output_set (local.get $out) (i64.const 1))
    (i32.const 0)))`);
  return { math, main };
}

/** `fetch`: output = the body http_request answers for the request JSON given as input (no body). */
export function httpGuest(): Promise<Uint8Array<ArrayBuffer>> {
  return wat(`
(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "http_request" (func $http_request (param i64 i64) (result i64)))
  (import "extism:host/env" "http_status_code" (func $http_status_code (result i32)))
  (memory (export "memory") 1 1)
  (func (export "fetch") (result i32)
    (local $len i64) (local $block i64) (local $i i64) (local $response i64)
    (local.set $len (call $input_length))
    (local.set $block (call $alloc (local.get $len)))
    (block $done
      (loop $copy
        (br_if $done (i64.ge_u (local.get $i) (local.get $len)))
        (call $store_u8 (i64.add (local.get $block) (local.get $i)) (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $copy)))
    (local.set $response (call $http_request (local.get $block) (i64.const 0)))
    (call $output_set (local.get $response) (call $length (local.get $response)))
    ;; the status code as the function's result (0 = success): 200 answers 0
    (i32.sub (call $http_status_code) (i32.const 200))))`);
}

/** `hog`: allocates 64 KiB Extism blocks until an allocation answers 0, then traps as a PDK's abort would. */
export function hogGuest(): Promise<Uint8Array<ArrayBuffer>> {
  return wat(`
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (memory (export "memory") 1 1)
  (func (export "hog") (result i32)
    (loop $more
      (br_if $more (i64.ne (call $alloc (i64.const 65536)) (i64.const 0))))
    unreachable))`);
}
