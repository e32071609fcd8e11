;; hostile-trap-unreachable: handle_command executes `unreachable` (a wasm trap) before producing any output.
;; Built by scripts/guests.ts (wabt). Apart from the behaviour above, the guest is a well-behaved protocol guest.
(module
  (import "extism:host/env" "alloc"      (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8"   (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))

  (memory (export "memory") 1 1)

  ;; manifest (224 bytes)
  (data (i32.const 0) "{\"protocol_version\":1,\"id\":\"hostile.trap-unreachable\",\"name\":\"Hostile: unreachable trap\",\"version\":\"0.1.0\",\"description\":\"Plinth hostile test guest: unreachable trap.\",\"capabilities\":[\"custom_commands\"],\"commands\":[\"crash\"]}")
  ;; CommandResponse (30 bytes)
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
    (call $emit (i32.const 0) (i32.const 224))
    (i32.const 0))
  (func (export "init") (result i32)
    (i32.const 0))
  (func (export "shutdown") (result i32)
    (i32.const 0))
  (func (export "handle_command") (result i32)
    unreachable)
)
