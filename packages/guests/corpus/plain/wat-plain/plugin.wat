;; A plain Extism plugin: no protocol exports, just functions over bytes.
(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))

  (memory (export "memory") 1 1)

  ;; echo: output = input
  (func (export "echo") (result i32)
    (local $len i64) (local $out i64) (local $i i64)
    (local.set $len (call $input_length))
    (local.set $out (call $alloc (local.get $len)))
    (block $done
      (loop $copy
        (br_if $done (i64.ge_u (local.get $i) (local.get $len)))
        (call $store_u8 (i64.add (local.get $out) (local.get $i)) (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $copy)))
    (call $output_set (local.get $out) (local.get $len))
    (i32.const 0))

  ;; reverse: output = input bytes in reverse order
  (func (export "reverse") (result i32)
    (local $len i64) (local $out i64) (local $i i64)
    (local.set $len (call $input_length))
    (local.set $out (call $alloc (local.get $len)))
    (block $done
      (loop $copy
        (br_if $done (i64.ge_u (local.get $i) (local.get $len)))
        (call $store_u8
          (i64.add (local.get $out) (i64.sub (i64.sub (local.get $len) (i64.const 1)) (local.get $i)))
          (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $copy)))
    (call $output_set (local.get $out) (local.get $len))
    (i32.const 0))

  ;; byte_length: output = decimal text of the input length
  (func (export "byte_length") (result i32)
    (local $n i64) (local $digits i32) (local $tmp i64) (local $out i64) (local $i i32)
    (local.set $n (call $input_length))
    ;; count digits
    (local.set $tmp (local.get $n))
    (local.set $digits (i32.const 1))
    (block $counted
      (loop $count
        (br_if $counted (i64.lt_u (local.get $tmp) (i64.const 10)))
        (local.set $tmp (i64.div_u (local.get $tmp) (i64.const 10)))
        (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
        (br $count)))
    (local.set $out (call $alloc (i64.extend_i32_u (local.get $digits))))
    ;; write digits from the end
    (local.set $i (local.get $digits))
    (loop $write
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (call $store_u8
        (i64.add (local.get $out) (i64.extend_i32_u (local.get $i)))
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $n) (i64.const 10)))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $write (i32.gt_s (local.get $i) (i32.const 0))))
    (call $output_set (local.get $out) (i64.extend_i32_u (local.get $digits)))
    (i32.const 0))
)
