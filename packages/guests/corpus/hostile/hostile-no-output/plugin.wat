;; hostile-no-output: a valid manifest, but handle_command returns 0 without ever calling output_set (or error_set).
;; Built by scripts/guests.ts (wabt). Apart from the behaviour above, the guest is a well-behaved protocol guest.
(module
  (import "extism:host/env" "alloc"      (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8"   (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))

  (memory (export "memory") 1 1)

  ;; manifest (230 bytes)
  (data (i32.const 0) "{\"protocol_version\":1,\"id\":\"hostile.no-output\",\"name\":\"Hostile: command sets no output\",\"version\":\"0.1.0\",\"description\":\"Plinth hostile test guest: command sets no output.\",\"capabilities\":[\"custom_commands\"],\"commands\":[\"silent\"]}")
  ;; unused: handle_command never emits it (30 bytes)
  (data (i32.const 240) "{\"success\":true,\"data\":\"pong\"}")

  ;; copy n bytes of linear memory at src into a fresh Extism block of exactly n bytes; make it the output
  (func $emit (param $src i32) (param $n i32)
    (local $h i64) (local $i i32)
    (local.set $h (call $alloc (i64.extend_i32_u (local.get $n))))
    (block $done (loop $copy
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $store_u8 (i64.add (local.get $h) (i64.extend_i32_u (local.get $i)))
                      (i32.load8_u (i32.add (local.get $src) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $copy)))
    (call $output_set (local.get $h) (i64.extend_i32_u (local.get $n))))

  (func (export "manifest") (result i32)
    (call $emit (i32.const 0) (i32.const 230))
    (i32.const 0))
  (func (export "init") (result i32)
    (i32.const 0))
  (func (export "shutdown") (result i32)
    (i32.const 0))
  (func (export "handle_command") (result i32)
    ;; no output_set, no error_set
    (i32.const 0))
)
