;; A plain Extism guest (not WASI itself): its export "run" passes its input, a host_run_wasi_module
;; request, to the host function unchanged and outputs the host's answer. For end-to-end tests.
(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/user" "host_run_wasi_module" (func $run_wasi (param i64) (result i64)))
  (memory (export "memory") 1 1)
  (func (export "run") (result i32)
    (local $len i64) (local $request i64) (local $i i64) (local $answer i64)
    (local.set $len (call $input_length))
    (local.set $request (call $alloc (local.get $len)))
    (block $done
      (loop $copy
        (br_if $done (i64.ge_u (local.get $i) (local.get $len)))
        (call $store_u8 (i64.add (local.get $request) (local.get $i)) (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $copy)))
    (local.set $answer (call $run_wasi (local.get $request)))
    (call $output_set (local.get $answer) (call $length (local.get $answer)))
    (i32.const 0)))
