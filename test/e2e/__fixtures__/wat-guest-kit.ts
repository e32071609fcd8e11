// The pieces every hand-written WAT test guest of the end-to-end tests shares: its strings in a data area,
// the Extism kernel imports, and helpers over one memory layout — 0..4096 strings, 4096..12288 the input
// (capped at 8 KiB), 16384.. the output being built (`$out`).

/** The guest's strings as data segments from offset 0, and `ref(name)` = its `(offset) (length)` operands. */
export function watStrings<T extends Record<string, string>>(
  texts: T,
): { data: string; ref: (name: keyof T) => string } {
  const at: Record<string, number> = {};
  const data: string[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(texts)) {
    at[name] = offset;
    data.push(`(data (i32.const ${offset}) "${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}")`);
    offset += Buffer.byteLength(text);
  }
  if (offset > 4096) throw new Error('the guest strings overflow their area');
  return {
    data: data.join('\n  '),
    ref: (name) =>
      `(i32.const ${at[name as string]}) (i32.const ${Buffer.byteLength(texts[name] as string)})`,
  };
}

/** The Extism kernel functions the helpers use. */
export const WAT_KERNEL_IMPORTS = `(import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "load_u8" (func $load_u8 (param i64) (result i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))`;

/** The memory, `$out`, and the helpers: read the input, append bytes or a block, make a block, emit output. */
export const WAT_BUFFER_HELPERS = `(memory (export "memory") 2 2)
  (global $out (mut i32) (i32.const 16384))
  (func $read_input (result i32)
    (local $n i32) (local $i i32)
    (local.set $n (i32.wrap_i64 (call $input_length)))
    (if (i32.gt_u (local.get $n) (i32.const 8192)) (then (local.set $n (i32.const 8192))))
    (block $done (loop $copy
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store8 (i32.add (i32.const 4096) (local.get $i)) (call $input_load_u8 (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $copy)))
    (local.get $n))
  (func $putb (param $b i32)
    (i32.store8 (global.get $out) (local.get $b))
    (global.set $out (i32.add (global.get $out) (i32.const 1))))
  (func $put (param $src i32) (param $n i32)
    (local $i i32)
    (block $done (loop $copy
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $putb (i32.load8_u (i32.add (local.get $src) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $copy))))
  ;; appends the bytes of an Extism block (capped at 4 KiB)
  (func $put_block (param $h i64)
    (local $n i32) (local $i i32)
    (local.set $n (i32.wrap_i64 (call $length (local.get $h))))
    (if (i32.gt_u (local.get $n) (i32.const 4096)) (then (local.set $n (i32.const 4096))))
    (block $done (loop $copy
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $putb (call $load_u8 (i64.add (local.get $h) (i64.extend_i32_u (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $copy))))
  (func $block (param $src i32) (param $n i32) (result i64)
    (local $h i64) (local $i i32)
    (local.set $h (call $alloc (i64.extend_i32_u (local.get $n))))
    (block $done (loop $copy
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $store_u8 (i64.add (local.get $h) (i64.extend_i32_u (local.get $i)))
                      (i32.load8_u (i32.add (local.get $src) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $copy)))
    (local.get $h))
  (func $emit (param $src i32) (param $n i32)
    (call $output_set (call $block (local.get $src) (local.get $n)) (i64.extend_i32_u (local.get $n))))`;
