;; hostile-import-unknown: an otherwise valid protocol guest that imports extism:host/user.host_format_disk, which no catalogue defines.
;; Built by scripts/guests.ts (wabt). Apart from the behaviour above, the guest is a well-behaved protocol guest.
(module
  (import "extism:host/env" "alloc"      (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8"   (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/user" "host_format_disk" (func $host_format_disk (param i64) (result i64)))  ;; not in the catalogue

  (memory (export "memory") 1 1)

  ;; manifest (239 bytes)
  (data (i32.const 0) "{\"protocol_version\":1,\"id\":\"hostile.import-unknown\",\"name\":\"Hostile: imports host_format_disk\",\"version\":\"0.1.0\",\"description\":\"Plinth hostile test guest: imports host_format_disk.\",\"capabilities\":[\"custom_commands\"],\"commands\":[\"format\"]}")
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
    (call $emit (i32.const 0) (i32.const 239))
    (i32.const 0))
  (func (export "init") (result i32)
    (i32.const 0))
  (func (export "shutdown") (result i32)
    (i32.const 0))
  (func (export "handle_command") (result i32)
    (drop (call $host_format_disk (i64.const 0)))
    (call $emit (i32.const 240) (i32.const 30))
    (i32.const 0))
)
