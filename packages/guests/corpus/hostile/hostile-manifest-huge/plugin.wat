;; hostile-manifest-huge: the manifest export returns valid JSON of 10485935 bytes: a normal manifest whose
;; "description" is 10485760 (10 MiB) letters 'a', written into one Extism block with store_u64.
;; Built by scripts/guests.ts (wabt). Apart from the behaviour above, the guest is a well-behaved protocol guest.
(module
  (import "extism:host/env" "alloc"      (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8"   (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64"  (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))

  (memory (export "memory") 1 1)

  ;; manifest prefix, up to the opening quote of "description" (118 bytes)
  (data (i32.const 0) "{\"protocol_version\":1,\"id\":\"hostile.manifest-huge\",\"name\":\"Hostile: 10 MiB manifest\",\"version\":\"0.1.0\",\"description\":\"")
  ;; CommandResponse (30 bytes)
  (data (i32.const 128) "{\"success\":true,\"data\":\"pong\"}")
  ;; manifest suffix (57 bytes)
  (data (i32.const 4096) "\",\"capabilities\":[\"custom_commands\"],\"commands\":[\"ping\"]}")

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

  (func (export "manifest") (result i32) (local $h i64)
    (local.set $h (call $alloc (i64.const 10485935)))
    (if (i64.eqz (local.get $h)) (then unreachable))
    (call $put (local.get $h) (i64.const 0) (i32.const 0) (i32.const 118))
    (call $fill_a (local.get $h) (i64.const 118) (i64.const 10485760))
    (call $put (local.get $h) (i64.const 10485878) (i32.const 4096) (i32.const 57))
    (call $output_set (local.get $h) (i64.const 10485935))
    (i32.const 0))
  (func (export "init") (result i32)
    (i32.const 0))
  (func (export "shutdown") (result i32)
    (i32.const 0))
  (func (export "handle_command") (result i32)
    (call $emit (i32.const 128) (i32.const 30))
    (i32.const 0))
)
