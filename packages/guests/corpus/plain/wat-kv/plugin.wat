;; A generic Extism plugin against the raw kernel ABI, in the shape of the classic plugin-manager
;; example: it keeps values through the host's kv_read/kv_write (extism:host/user) and logs through log_*.
;;   write: kv_write(key = input, value = input)
;;   read: output = kv_read(key = input), nothing when the host answers 0
;;   log: log_info, log_warn and log_debug of the input
;;   bad_offset: kv_read of a made-up offset, then of an offset inside the first block
;;   spin: loops forever
;;   config: output = config_get("greeting")
(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "log_info" (func $log_info (param i64)))
  (import "extism:host/env" "log_warn" (func $log_warn (param i64)))
  (import "extism:host/env" "log_debug" (func $log_debug (param i64)))
  (import "extism:host/env" "config_get" (func $config_get (param i64) (result i64)))
  (import "extism:host/user" "kv_read" (func $kv_read (param i64) (result i64)))
  (import "extism:host/user" "kv_write" (func $kv_write (param i64 i64)))
  (memory (export "memory") 1 1)
  (data (i32.const 0) "greeting")

  ;; The input, copied into a new block.
  (func $input_block (result i64)
    (local $len i64) (local $block i64) (local $i i64)
    (local.set $len (call $input_length))
    (local.set $block (call $alloc (local.get $len)))
    (block $done
      (loop $copy
        (br_if $done (i64.ge_u (local.get $i) (local.get $len)))
        (call $store_u8 (i64.add (local.get $block) (local.get $i)) (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $copy)))
    (local.get $block))

  (func (export "write") (result i32)
    (local $key i64)
    (local.set $key (call $input_block))
    (call $kv_write (local.get $key) (local.get $key))
    (i32.const 0))

  (func (export "read") (result i32)
    (local $value i64)
    (local.set $value (call $kv_read (call $input_block)))
    (if (i64.ne (local.get $value) (i64.const 0))
      (then (call $output_set (local.get $value) (call $length (local.get $value)))))
    (i32.const 0))

  (func (export "log") (result i32)
    (local $line i64)
    (local.set $line (call $input_block))
    (call $log_info (local.get $line))
    (call $log_warn (local.get $line))
    (call $log_debug (local.get $line))
    (i32.const 0))

  (func (export "bad_offset") (result i32)
    (drop (call $kv_read (i64.const 0x7fff0000)))
    (drop (call $kv_read (i64.const 0x0001000000000004)))
    (i32.const 0))

  (func (export "spin") (result i32)
    (loop $forever (br $forever))
    (i32.const 0))

  (func (export "config") (result i32)
    (local $key i64) (local $i i64) (local $value i64)
    (local.set $key (call $alloc (i64.const 8)))
    (block $done
      (loop $copy
        (br_if $done (i64.ge_u (local.get $i) (i64.const 8)))
        (call $store_u8 (i64.add (local.get $key) (local.get $i)) (i32.load8_u (i32.wrap_i64 (local.get $i))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $copy)))
    (local.set $value (call $config_get (local.get $key)))
    (if (i64.ne (local.get $value) (i64.const 0))
      (then (call $output_set (local.get $value) (call $length (local.get $value)))))
    (i32.const 0))
)
