;; hostile-output-huge: handle_command allocates one 64 MiB Extism block and sets it as the output. The block is
;; host memory (an Extism block), not guest linear memory, so the guest's own 1-page memory is no obstacle. The
;; output is valid JSON: {"success":true,"data":"aaaa…"} of exactly 67108864 bytes, so only its size is hostile.
;; If the host caps Extism block memory (memory.maxPages) below 64 MiB, alloc returns 0 and the guest traps.
;; Built by scripts/guests.ts (wabt). Apart from the behaviour above, the guest is a well-behaved protocol guest.
(module
  (import "extism:host/env" "alloc"      (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8"   (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64"  (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))

  (memory (export "memory") 1 1)

  ;; manifest (213 bytes)
  (data (i32.const 0) "{\"protocol_version\":1,\"id\":\"hostile.output-huge\",\"name\":\"Hostile: 64 MiB output\",\"version\":\"0.1.0\",\"description\":\"Plinth hostile test guest: 64 MiB output.\",\"capabilities\":[\"custom_commands\"],\"commands\":[\"flood\"]}")
  ;; CommandResponse (30 bytes)
  (data (i32.const 224) "{\"success\":true,\"data\":\"pong\"}")
  (data (i32.const 4096) "{\"success\":true,\"data\":\"")  ;; 24 bytes
  (data (i32.const 4160) "\"}")  ;; 2 bytes

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

  ;; write n bytes of linear memory at src into block h, starting at offset off
  (func $put (param $h i64) (param $off i64) (param $src i32) (param $n i32)
    (local $i i32)
    (block $done (loop $copy
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $store_u8 (i64.add (i64.add (local.get $h) (local.get $off)) (i64.extend_i32_u (local.get $i)))
                      (i32.load8_u (i32.add (local.get $src) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $copy))))

  ;; fill n bytes of block h from offset off with 'a' (8 bytes per store_u64 call, then byte by byte)
  (func $fill_a (param $h i64) (param $off i64) (param $n i64)
    (local $end i64)
    (local.set $end (i64.add (local.get $off) (local.get $n)))
    (block $done (loop $wide
      (br_if $done (i64.gt_u (i64.add (local.get $off) (i64.const 8)) (local.get $end)))
      (call $store_u64 (i64.add (local.get $h) (local.get $off)) (i64.const 0x6161616161616161))
      (local.set $off (i64.add (local.get $off) (i64.const 8)))
      (br $wide)))
    (block $done (loop $narrow
      (br_if $done (i64.ge_u (local.get $off) (local.get $end)))
      (call $store_u8 (i64.add (local.get $h) (local.get $off)) (i32.const 0x61))
      (local.set $off (i64.add (local.get $off) (i64.const 1)))
      (br $narrow))))

  (func (export "manifest") (result i32)
    (call $emit (i32.const 0) (i32.const 213))
    (i32.const 0))
  (func (export "init") (result i32)
    (i32.const 0))
  (func (export "shutdown") (result i32)
    (i32.const 0))
  (func (export "handle_command") (result i32) (local $h i64)
    (local.set $h (call $alloc (i64.const 67108864)))
    ;; alloc answers 0 when the host refuses the block
    (if (i64.eqz (local.get $h)) (then unreachable))
    (call $put (local.get $h) (i64.const 0) (i32.const 4096) (i32.const 24))
    (call $fill_a (local.get $h) (i64.const 24) (i64.const 67108838))
    (call $put (local.get $h) (i64.const 67108862) (i32.const 4160) (i32.const 2))
    (call $output_set (local.get $h) (i64.const 67108864))
    (i32.const 0))
)
