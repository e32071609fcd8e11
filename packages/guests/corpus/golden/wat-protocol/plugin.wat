;; plinth-golden.wat: the Plinth golden protocol guest, written by hand in WebAssembly text.
;;
;; It speaks Plinth guest protocol v1 (packages/protocol/PROTOCOL.md) and answers the shared
;; conformance table (packages/guests/corpus/conformance.json):
;;
;;   manifest        -> GuestManifest JSON (a constant in a data segment)
;;   handle_command  -> CommandRequest in, CommandResponse out:
;;                        ping  -> "pong"
;;                        echo  -> the params value's exact JSON text
;;                        greet -> host_log {"level":"info","message":"greeting <name>"}, then "Hello, <name>!"
;;                        time  -> the number host_get_timestamp returns
;;                        other -> unknown_command; malformed request JSON -> invalid_request
;;   init, shutdown  -> accept anything, do nothing, never fail
;;   on_event        -> logs the event_type at debug level through host_log
;;
;; How it works
;; ------------
;; * Every export starts from a clean bump heap at $HEAP_BASE (nothing survives a call).
;; * The request is copied from the Extism input block into linear memory, then scanned by a
;;   small recursive-descent JSON scanner that validates and skips whole values (strings with
;;   escapes, numbers, true/false/null, nested arrays and objects). The scanner never builds a
;;   tree: for the object it is asked about, it remembers where the value of one chosen key
;;   starts and ends (the last occurrence wins, as in JSON.parse). Keys are compared after
;;   decoding their escapes, so "comm\u0061nd" is the key "command".
;; * Responses are built in linear memory and copied into an Extism block of exactly their
;;   size (rc13's output_set returns the whole block, so the block must not be larger).
;; * Text taken from the request (the params value, the command name, the greet name) is copied
;;   as raw JSON text: a validated JSON string's inner text is already a valid JSON string body,
;;   so it can be pasted between quotes of the response without re-escaping.
;; * Nothing traps on bad input: every failure becomes a JSON response. The only imports are the
;;   Extism kernel (extism:host/env) and two host functions (extism:host/user).
;;
;; Memory layout (one linear memory, exported, 2 pages initially, at most 16 pages = 1 MiB)
;;   0x0000-0x003f  unused (address 0 doubles as the "null" pointer)
;;   0x0040-0x0fff  constant NUL-terminated strings (data segments below)
;;   0x2000-...     bump heap: request copy, scratch, response being built

(module
  ;; ---------------------------------------------------------------------------------------
  ;; Imports. Kernel signatures as in the Extism PDKs; the u8 loads/stores use i32 values
  ;; (rc13 converts JS numbers at call time, and an i64 there would fail).
  ;; ---------------------------------------------------------------------------------------
  (import "extism:host/env" "input_length"   (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8"  (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
  (import "extism:host/env" "alloc"          (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "free"           (func $free (param i64)))
  (import "extism:host/env" "length"         (func $length (param i64) (result i64)))
  (import "extism:host/env" "store_u8"       (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64"      (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "load_u8"        (func $load_u8 (param i64) (result i32)))
  (import "extism:host/env" "output_set"     (func $output_set (param i64 i64)))
  ;; Plinth host functions: one string handle in, one string handle out.
  (import "extism:host/user" "host_log"           (func $host_log (param i64) (result i64)))
  (import "extism:host/user" "host_get_timestamp" (func $host_get_timestamp (param i64) (result i64)))

  ;; Own memory with a declared maximum (16 pages = 1 MiB); the host can rely on that cap.
  (memory (export "memory") 2 16)

  ;; ---------------------------------------------------------------------------------------
  ;; Constant strings. Each one is NUL-terminated ($strlen measures it) and sits in its own
  ;; slot; the slot sizes leave room so that no segment overlaps the next.
  ;; ---------------------------------------------------------------------------------------

  ;; short words, 16-byte slots
  (global $S_NULL       i32 (i32.const 0x040))
  (global $S_TRUE       i32 (i32.const 0x050))
  (global $S_FALSE      i32 (i32.const 0x060))
  (global $S_EMPTY_OBJ  i32 (i32.const 0x070))
  (global $S_COMMAND    i32 (i32.const 0x080))
  (global $S_PARAMS     i32 (i32.const 0x090))
  (global $S_NAME       i32 (i32.const 0x0a0))
  (global $S_EVENT_TYPE i32 (i32.const 0x0b0))
  (global $S_PING       i32 (i32.const 0x0c0))
  (global $S_ECHO       i32 (i32.const 0x0d0))
  (global $S_GREET      i32 (i32.const 0x0e0))
  (global $S_TIME       i32 (i32.const 0x0f0))
  (global $S_CLOSE      i32 (i32.const 0x100))
  (global $S_BANG_CLOSE i32 (i32.const 0x110))
  (global $S_QUOTE_CLOSE i32 (i32.const 0x120))
  (data (i32.const 0x040) "null\00")
  (data (i32.const 0x050) "true\00")
  (data (i32.const 0x060) "false\00")
  (data (i32.const 0x070) "{}\00")
  (data (i32.const 0x080) "command\00")
  (data (i32.const 0x090) "params\00")
  (data (i32.const 0x0a0) "name\00")
  (data (i32.const 0x0b0) "event_type\00")
  (data (i32.const 0x0c0) "ping\00")
  (data (i32.const 0x0d0) "echo\00")
  (data (i32.const 0x0e0) "greet\00")
  (data (i32.const 0x0f0) "time\00")
  (data (i32.const 0x100) "}\00")
  (data (i32.const 0x110) "!\"}\00")
  (data (i32.const 0x120) "\"}\00")

  ;; response pieces, 64-byte slots
  (global $S_OK_PREFIX      i32 (i32.const 0x140))
  (global $S_PONG           i32 (i32.const 0x180))
  (global $S_HELLO_PREFIX   i32 (i32.const 0x1c0))
  (global $S_GREET_LOG      i32 (i32.const 0x200))
  (global $S_UNKNOWN_PREFIX i32 (i32.const 0x240))
  (global $S_UNKNOWN_SUFFIX i32 (i32.const 0x280))
  (global $S_INVALID_PREFIX i32 (i32.const 0x2c0))
  (global $S_INVALID_SUFFIX i32 (i32.const 0x300))
  (data (i32.const 0x140) "{\"success\":true,\"data\":\00")
  (data (i32.const 0x180) "{\"success\":true,\"data\":\"pong\"}\00")
  (data (i32.const 0x1c0) "{\"success\":true,\"data\":\"Hello, \00")
  (data (i32.const 0x200) "{\"level\":\"info\",\"message\":\"greeting \00")
  (data (i32.const 0x240) "{\"success\":false,\"error\":\"unknown command: \00")
  (data (i32.const 0x280) "\",\"error_code\":\"unknown_command\"}\00")
  (data (i32.const 0x2c0) "{\"success\":false,\"error\":\"invalid request: \00")
  (data (i32.const 0x300) "\",\"error_code\":\"invalid_request\"}\00")

  ;; whole responses and longer pieces, 128-byte slots
  (global $S_GREET_NO_NAME  i32 (i32.const 0x400))
  (global $S_TIME_BAD       i32 (i32.const 0x480))
  (global $S_TOO_LARGE      i32 (i32.const 0x500))
  (global $S_EVENT_LOG      i32 (i32.const 0x580))
  (data (i32.const 0x400) "{\"success\":false,\"error\":\"greet: params.name is required\",\"error_code\":\"invalid_params\"}\00")
  (data (i32.const 0x480) "{\"success\":false,\"error\":\"time: host_get_timestamp did not return a timestamp\",\"error_code\":\"host_error\"}\00")
  (data (i32.const 0x500) "{\"success\":false,\"error\":\"response too large for guest memory\",\"error_code\":\"internal_error\"}\00")
  (data (i32.const 0x580) "{\"level\":\"debug\",\"message\":\"plinth-golden.wat received event \00")

  ;; reasons for "invalid request: <why>", 64-byte slots (plain text, no characters that need
  ;; JSON escaping, because they are pasted into a JSON string as they are)
  (global $R_REQUEST_TOO_LARGE i32 (i32.const 0x600))
  (global $R_NOT_OBJECT        i32 (i32.const 0x640))
  (global $R_EOF               i32 (i32.const 0x680))
  (global $R_CHAR              i32 (i32.const 0x6c0))
  (global $R_UNTERMINATED      i32 (i32.const 0x700))
  (global $R_CONTROL           i32 (i32.const 0x740))
  (global $R_ESCAPE            i32 (i32.const 0x780))
  (global $R_NUMBER            i32 (i32.const 0x7c0))
  (global $R_LITERAL           i32 (i32.const 0x800))
  (global $R_KEY               i32 (i32.const 0x840))
  (global $R_COLON             i32 (i32.const 0x880))
  (global $R_OBJECT_SEP        i32 (i32.const 0x8c0))
  (global $R_ARRAY_SEP         i32 (i32.const 0x900))
  (global $R_DEPTH             i32 (i32.const 0x940))
  (global $R_TRAILING          i32 (i32.const 0x980))
  (global $R_NO_COMMAND        i32 (i32.const 0x9c0))
  (global $R_COMMAND_TYPE      i32 (i32.const 0xa00))
  (data (i32.const 0x600) "request too large for guest memory\00")
  (data (i32.const 0x640) "expected a JSON object\00")
  (data (i32.const 0x680) "unexpected end of input\00")
  (data (i32.const 0x6c0) "unexpected character\00")
  (data (i32.const 0x700) "unterminated string\00")
  (data (i32.const 0x740) "control character in string\00")
  (data (i32.const 0x780) "invalid escape in string\00")
  (data (i32.const 0x7c0) "invalid number\00")
  (data (i32.const 0x800) "invalid literal\00")
  (data (i32.const 0x840) "expected a string key\00")
  (data (i32.const 0x880) "expected ':' after an object key\00")
  (data (i32.const 0x8c0) "expected ',' or '}' in an object\00")
  (data (i32.const 0x900) "expected ',' or ']' in an array\00")
  (data (i32.const 0x940) "nesting too deep\00")
  (data (i32.const 0x980) "trailing characters after the request\00")
  (data (i32.const 0x9c0) "missing command\00")
  (data (i32.const 0xa00) "command must be a string\00")

  ;; the manifest, up to 4 KiB (the heap starts at 0x2000)
  (global $S_MANIFEST i32 (i32.const 0xc00))
  (data (i32.const 0xc00)
    "{\"protocol_version\":1,"
    "\"id\":\"plinth-golden.wat\","
    "\"name\":\"Plinth golden guest (WAT)\","
    "\"version\":\"1.0.0\","
    "\"description\":\"Hand-written WebAssembly text guest that answers the Plinth conformance table.\","
    "\"capabilities\":[\"custom_commands\"],"
    "\"commands\":[\"ping\",\"echo\",\"greet\",\"time\"],"
    "\"cli\":["
    "{\"name\":\"ping\",\"about\":\"Answer pong\",\"command_name\":\"ping\",\"args\":[]},"
    "{\"name\":\"echo\",\"about\":\"Answer the params as sent\",\"command_name\":\"echo\",\"args\":[{\"name\":\"text\",\"help\":\"Text to send back (every other param is sent back too)\",\"value_type\":\"String\"}]},"
    "{\"name\":\"greet\",\"about\":\"Greet someone, and log it\",\"command_name\":\"greet\",\"args\":[{\"name\":\"name\",\"help\":\"Who to greet\",\"value_type\":\"String\",\"required\":true}]},"
    "{\"name\":\"time\",\"about\":\"The host's clock, in milliseconds since 1970\",\"command_name\":\"time\",\"args\":[]}"
    "]}\00")

  ;; ---------------------------------------------------------------------------------------
  ;; State (all reset at the start of every export)
  ;; ---------------------------------------------------------------------------------------
  (global $HEAP_BASE i32 (i32.const 0x2000))
  (global $heap (mut i32) (i32.const 0x2000))   ;; next free byte of the bump heap
  (global $end (mut i32) (i32.const 0))         ;; one past the last byte of the JSON text being scanned
  (global $err (mut i32) (i32.const 0))         ;; reason string of the last scanner failure
  (global $depth (mut i32) (i32.const 0))       ;; current array/object nesting
  (global $MAX_DEPTH i32 (i32.const 128))       ;; deeper input is refused, so recursion stays bounded
  (global $found_start (mut i32) (i32.const 0)) ;; value of the looked-up key: first byte (0 = not found)
  (global $found_end (mut i32) (i32.const 0))   ;;   ... and one past its last byte
  (global $out (mut i32) (i32.const 0))         ;; start of the text being built by $emit
  (global $out_failed (mut i32) (i32.const 0))  ;; 1 when an $emit could not get memory

  (func $reset
    (global.set $heap (global.get $HEAP_BASE))
    (global.set $end (i32.const 0))
    (global.set $err (i32.const 0))
    (global.set $depth (i32.const 0))
    (global.set $found_start (i32.const 0))
    (global.set $found_end (i32.const 0)))

  ;; ---------------------------------------------------------------------------------------
  ;; Memory helpers
  ;; ---------------------------------------------------------------------------------------

  ;; Reserve $n bytes on the bump heap, growing memory as needed. Returns the address, or 0 when
  ;; the declared maximum is reached (the caller answers with an error instead of trapping).
  (func $reserve (param $n i32) (result i32)
    (local $p i32) (local $new_end i32) (local $have i32)
    (local.set $p (global.get $heap))
    (local.set $new_end (i32.add (local.get $p) (local.get $n)))
    (if (i32.lt_u (local.get $new_end) (local.get $p)) ;; wrapped around the address space
      (then (return (i32.const 0))))
    (local.set $have (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $new_end) (local.get $have))
      (then
        ;; grow by ceil((new_end - have) / 64 KiB) pages; -1 means over the maximum
        (if (i32.eq
              (memory.grow
                (i32.shr_u (i32.add (i32.sub (local.get $new_end) (local.get $have)) (i32.const 0xffff))
                           (i32.const 16)))
              (i32.const -1))
          (then (return (i32.const 0))))))
    (global.set $heap (local.get $new_end))
    (local.get $p))

  ;; Length of a NUL-terminated constant string.
  (func $strlen (param $s i32) (result i32)
    (local $p i32)
    (local.set $p (local.get $s))
    (block $done (loop $next
      (br_if $done (i32.eqz (i32.load8_u (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $next)))
    (i32.sub (local.get $p) (local.get $s)))

  ;; 1 when the $an bytes at $a equal the $bn bytes at $b.
  (func $mem_eq (param $a i32) (param $an i32) (param $b i32) (param $bn i32) (result i32)
    (local $i i32)
    (if (i32.ne (local.get $an) (local.get $bn)) (then (return (i32.const 0))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $an)))
      (if (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $i)))
                  (i32.load8_u (i32.add (local.get $b) (local.get $i))))
        (then (return (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.const 1))

  ;; 1 when the $n bytes at $p equal the constant string $s.
  (func $is (param $p i32) (param $n i32) (param $s i32) (result i32)
    (call $mem_eq (local.get $p) (local.get $n) (local.get $s) (call $strlen (local.get $s))))

  ;; ---------------------------------------------------------------------------------------
  ;; Extism blocks
  ;; ---------------------------------------------------------------------------------------

  ;; Copy the whole input block into the heap. Returns its address (and sets $end), or 0 when it
  ;; does not fit in the declared memory maximum.
  (func $read_input (result i32)
    (local $n64 i64) (local $n i32) (local $p i32) (local $i i32)
    (local.set $n64 (call $input_length))
    (if (i64.gt_u (local.get $n64) (i64.const 0x7fffffff)) (then (return (i32.const 0))))
    (local.set $n (i32.wrap_i64 (local.get $n64)))
    (local.set $p (call $reserve (local.get $n)))
    (if (i32.eqz (local.get $p)) (then (return (i32.const 0))))
    ;; eight bytes at a time (both sides are little-endian) ...
    (block $done8 (loop $copy8
      (br_if $done8 (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
      (i64.store (i32.add (local.get $p) (local.get $i))
                 (call $input_load_u64 (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $copy8)))
    ;; ... then the remaining tail byte by byte
    (block $done1 (loop $copy1
      (br_if $done1 (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store8 (i32.add (local.get $p) (local.get $i))
                  (call $input_load_u8 (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $copy1)))
    (global.set $end (i32.add (local.get $p) (local.get $n)))
    (local.get $p))

  ;; A fresh Extism block of exactly $n bytes holding the memory at $p; returns its handle.
  (func $block_from (param $p i32) (param $n i32) (result i64)
    (local $h i64) (local $i i32)
    (local.set $h (call $alloc (i64.extend_i32_u (local.get $n))))
    (block $done8 (loop $copy8
      (br_if $done8 (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
      (call $store_u64 (i64.add (local.get $h) (i64.extend_i32_u (local.get $i)))
                       (i64.load (i32.add (local.get $p) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $copy8)))
    (block $done1 (loop $copy1
      (br_if $done1 (i32.ge_u (local.get $i) (local.get $n)))
      (call $store_u8 (i64.add (local.get $h) (i64.extend_i32_u (local.get $i)))
                      (i32.load8_u (i32.add (local.get $p) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $copy1)))
    (local.get $h))

  ;; Set the export's output to the $n bytes at $p (a block of exactly that size).
  (func $send (param $p i32) (param $n i32)
    (call $output_set (call $block_from (local.get $p) (local.get $n)) (i64.extend_i32_u (local.get $n))))

  (func $send_str (param $s i32)
    (call $send (local.get $s) (call $strlen (local.get $s))))

  ;; ---------------------------------------------------------------------------------------
  ;; Text builder: $out_begin, then $emit pieces; they land contiguously on the heap because
  ;; nothing else reserves memory in between.
  ;; ---------------------------------------------------------------------------------------
  (func $out_begin
    (global.set $out (global.get $heap))
    (global.set $out_failed (i32.const 0)))

  (func $emit (param $src i32) (param $n i32)
    (local $dst i32)
    (if (global.get $out_failed) (then (return)))
    (local.set $dst (call $reserve (local.get $n)))
    (if (i32.eqz (local.get $dst))
      (then (global.set $out_failed (i32.const 1)) (return)))
    (memory.copy (local.get $dst) (local.get $src) (local.get $n)))

  (func $emit_str (param $s i32)
    (call $emit (local.get $s) (call $strlen (local.get $s))))

  ;; Send the built text as the output (or a fixed error if memory ran out while building).
  (func $out_send
    (if (global.get $out_failed)
      (then (call $send_str (global.get $S_TOO_LARGE)))
      (else (call $send (global.get $out) (i32.sub (global.get $heap) (global.get $out))))))

  ;; Pass the built text to host_log, free both blocks, and give the heap space back.
  (func $out_log
    (local $h i64) (local $reply i64)
    (if (i32.eqz (global.get $out_failed))
      (then
        (local.set $h (call $block_from (global.get $out) (i32.sub (global.get $heap) (global.get $out))))
        (local.set $reply (call $host_log (local.get $h)))
        (call $free (local.get $h))
        (if (i64.ne (local.get $reply) (i64.const 0)) (then (call $free (local.get $reply))))))
    (global.set $heap (global.get $out)))

  ;; ---------------------------------------------------------------------------------------
  ;; JSON scanner. Positions are addresses into the text [.., $end). Every scan function takes
  ;; the position of the first byte of its value and returns the position just past it, or -1
  ;; after recording why in $err. Positions are below 1 MiB, so "negative" means failure.
  ;; ---------------------------------------------------------------------------------------

  ;; The byte at $p, or -1 past the end of the text.
  (func $at (param $p i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $p) (global.get $end))
      (then (i32.load8_u (local.get $p)))
      (else (i32.const -1))))

  (func $fail (param $reason i32) (result i32)
    (global.set $err (local.get $reason))
    (i32.const -1))

  ;; '0'..'9' (false for -1)
  (func $is_digit (param $c i32) (result i32)
    (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10)))

  ;; Value of a hex digit, or -1.
  (func $hex_val (param $c i32) (result i32)
    (if (call $is_digit (local.get $c)) (then (return (i32.sub (local.get $c) (i32.const 0x30)))))
    ;; fold 'A'..'F' onto 'a'..'f'
    (local.set $c (i32.or (local.get $c) (i32.const 0x20)))
    (if (i32.lt_u (i32.sub (local.get $c) (i32.const 0x61)) (i32.const 6))
      (then (return (i32.add (i32.sub (local.get $c) (i32.const 0x61)) (i32.const 10)))))
    (i32.const -1))

  ;; Skip JSON whitespace: space, tab, line feed, carriage return.
  (func $skip_ws (param $p i32) (result i32)
    (local $c i32)
    (block $done (loop $next
      (local.set $c (call $at (local.get $p)))
      (br_if $done
        (i32.eqz (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x20)) (i32.eq (local.get $c) (i32.const 0x09)))
                         (i32.or (i32.eq (local.get $c) (i32.const 0x0a)) (i32.eq (local.get $c) (i32.const 0x0d))))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $next)))
    (local.get $p))

  (func $skip_digits (param $p i32) (result i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (call $is_digit (call $at (local.get $p)))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $next)))
    (local.get $p))

  ;; Any value: dispatch on its first byte.
  (func $skip_value (param $p i32) (result i32)
    (local $c i32)
    (local.set $c (call $at (local.get $p)))
    (if (i32.lt_s (local.get $c) (i32.const 0)) (then (return (call $fail (global.get $R_EOF)))))
    (if (i32.eq (local.get $c) (i32.const 0x22)) ;; "
      (then (return (call $scan_string (local.get $p)))))
    (if (i32.eq (local.get $c) (i32.const 0x7b)) ;; {
      (then (return (call $scan_object (local.get $p) (i32.const 0)))))
    (if (i32.eq (local.get $c) (i32.const 0x5b)) ;; [
      (then (return (call $scan_array (local.get $p)))))
    (if (i32.eq (local.get $c) (i32.const 0x74)) ;; t
      (then (return (call $scan_literal (local.get $p) (global.get $S_TRUE)))))
    (if (i32.eq (local.get $c) (i32.const 0x66)) ;; f
      (then (return (call $scan_literal (local.get $p) (global.get $S_FALSE)))))
    (if (i32.eq (local.get $c) (i32.const 0x6e)) ;; n
      (then (return (call $scan_literal (local.get $p) (global.get $S_NULL)))))
    (if (i32.or (i32.eq (local.get $c) (i32.const 0x2d)) (call $is_digit (local.get $c))) ;; - or digit
      (then (return (call $scan_number (local.get $p)))))
    (call $fail (global.get $R_CHAR)))

  ;; A string: "..." with escapes \" \\ \/ \b \f \n \r \t \uXXXX; raw control characters are
  ;; refused, as JSON requires. $p is at the opening quote.
  (func $scan_string (param $p i32) (result i32)
    (local $c i32) (local $e i32) (local $k i32)
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (loop $next
      (local.set $c (call $at (local.get $p)))
      (if (i32.lt_s (local.get $c) (i32.const 0)) (then (return (call $fail (global.get $R_UNTERMINATED)))))
      (if (i32.eq (local.get $c) (i32.const 0x22)) (then (return (i32.add (local.get $p) (i32.const 1)))))
      (if (i32.lt_u (local.get $c) (i32.const 0x20)) (then (return (call $fail (global.get $R_CONTROL)))))
      (if (i32.eq (local.get $c) (i32.const 0x5c)) ;; backslash
        (then
          (local.set $e (call $at (i32.add (local.get $p) (i32.const 1))))
          (if (i32.eq (local.get $e) (i32.const 0x75)) ;; \u: exactly four hex digits follow
            (then
              (local.set $k (i32.const 2))
              (loop $hex
                (if (i32.lt_s (call $hex_val (call $at (i32.add (local.get $p) (local.get $k)))) (i32.const 0))
                  (then (return (call $fail (global.get $R_ESCAPE)))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br_if $hex (i32.le_u (local.get $k) (i32.const 5))))
              (local.set $p (i32.add (local.get $p) (i32.const 6)))
              (br $next)))
          (if (call $is_simple_escape (local.get $e))
            (then
              (local.set $p (i32.add (local.get $p) (i32.const 2)))
              (br $next)))
          (return (call $fail (global.get $R_ESCAPE)))))
      ;; any other byte (UTF-8 sequences pass through untouched)
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $next))
    (unreachable)) ;; every path in the loop returns or branches

  ;; The one-letter escapes: " \ / b f n r t
  (func $is_simple_escape (param $e i32) (result i32)
    (i32.or
      (i32.or (i32.or (i32.eq (local.get $e) (i32.const 0x22)) (i32.eq (local.get $e) (i32.const 0x5c)))
              (i32.or (i32.eq (local.get $e) (i32.const 0x2f)) (i32.eq (local.get $e) (i32.const 0x62))))
      (i32.or (i32.or (i32.eq (local.get $e) (i32.const 0x66)) (i32.eq (local.get $e) (i32.const 0x6e)))
              (i32.or (i32.eq (local.get $e) (i32.const 0x72)) (i32.eq (local.get $e) (i32.const 0x74))))))

  ;; A number: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  (func $scan_number (param $p i32) (result i32)
    (local $c i32)
    (if (i32.eq (call $at (local.get $p)) (i32.const 0x2d)) ;; -
      (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))
    ;; integer part: a lone 0, or a non-zero digit and more digits
    (local.set $c (call $at (local.get $p)))
    (if (i32.eq (local.get $c) (i32.const 0x30))
      (then (local.set $p (i32.add (local.get $p) (i32.const 1))))
      (else
        (if (i32.eqz (call $is_digit (local.get $c))) (then (return (call $fail (global.get $R_NUMBER)))))
        (local.set $p (call $skip_digits (local.get $p)))))
    ;; fraction
    (if (i32.eq (call $at (local.get $p)) (i32.const 0x2e)) ;; .
      (then
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (if (i32.eqz (call $is_digit (call $at (local.get $p)))) (then (return (call $fail (global.get $R_NUMBER)))))
        (local.set $p (call $skip_digits (local.get $p)))))
    ;; exponent ('e' or 'E'; or-ing 0x20 lowercases a letter and leaves -1 as -1)
    (if (i32.eq (i32.or (call $at (local.get $p)) (i32.const 0x20)) (i32.const 0x65))
      (then
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $c (call $at (local.get $p)))
        (if (i32.or (i32.eq (local.get $c) (i32.const 0x2b)) (i32.eq (local.get $c) (i32.const 0x2d))) ;; + -
          (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))
        (if (i32.eqz (call $is_digit (call $at (local.get $p)))) (then (return (call $fail (global.get $R_NUMBER)))))
        (local.set $p (call $skip_digits (local.get $p)))))
    (local.get $p))

  ;; true / false / null: the bytes must match the constant $lit exactly.
  (func $scan_literal (param $p i32) (param $lit i32) (result i32)
    (local $c i32)
    (loop $next
      (local.set $c (i32.load8_u (local.get $lit)))
      (if (i32.eqz (local.get $c)) (then (return (local.get $p))))
      (if (i32.ne (call $at (local.get $p)) (local.get $c)) (then (return (call $fail (global.get $R_LITERAL)))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (local.set $lit (i32.add (local.get $lit) (i32.const 1)))
      (br $next))
    (unreachable))

  ;; An array: [ value (, value)* ] or [ ]. $p is at the '['.
  (func $scan_array (param $p i32) (result i32)
    (local $c i32)
    (global.set $depth (i32.add (global.get $depth) (i32.const 1)))
    (if (i32.gt_u (global.get $depth) (global.get $MAX_DEPTH)) (then (return (call $fail (global.get $R_DEPTH)))))
    (local.set $p (call $skip_ws (i32.add (local.get $p) (i32.const 1))))
    (if (i32.eq (call $at (local.get $p)) (i32.const 0x5d)) ;; empty array
      (then
        (global.set $depth (i32.sub (global.get $depth) (i32.const 1)))
        (return (i32.add (local.get $p) (i32.const 1)))))
    (loop $element
      (local.set $p (call $skip_value (local.get $p)))
      (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const -1))))
      (local.set $p (call $skip_ws (local.get $p)))
      (local.set $c (call $at (local.get $p)))
      (if (i32.eq (local.get $c) (i32.const 0x2c)) ;; , another element
        (then
          (local.set $p (call $skip_ws (i32.add (local.get $p) (i32.const 1))))
          (br $element)))
      (if (i32.eq (local.get $c) (i32.const 0x5d)) ;; ] done
        (then
          (global.set $depth (i32.sub (global.get $depth) (i32.const 1)))
          (return (i32.add (local.get $p) (i32.const 1)))))
      (return (call $fail (global.get $R_ARRAY_SEP))))
    (unreachable))

  ;; An object: { "key" : value (, "key" : value)* } or { }. $p is at the '{'.
  ;; When $key is a constant string (not 0), a member whose decoded key equals it is recorded in
  ;; $found_start/$found_end (the last such member wins). Nested objects are scanned with $key = 0,
  ;; so only the members of this object are ever recorded.
  (func $scan_object (param $p i32) (param $key i32) (result i32)
    (local $c i32) (local $key_start i32) (local $key_end i32) (local $value_start i32)
    (global.set $depth (i32.add (global.get $depth) (i32.const 1)))
    (if (i32.gt_u (global.get $depth) (global.get $MAX_DEPTH)) (then (return (call $fail (global.get $R_DEPTH)))))
    (local.set $p (call $skip_ws (i32.add (local.get $p) (i32.const 1))))
    (if (i32.eq (call $at (local.get $p)) (i32.const 0x7d)) ;; empty object
      (then
        (global.set $depth (i32.sub (global.get $depth) (i32.const 1)))
        (return (i32.add (local.get $p) (i32.const 1)))))
    (loop $member
      ;; "key"
      (if (i32.ne (call $at (local.get $p)) (i32.const 0x22)) (then (return (call $fail (global.get $R_KEY)))))
      (local.set $key_start (local.get $p))
      (local.set $p (call $scan_string (local.get $p)))
      (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const -1))))
      (local.set $key_end (local.get $p))
      ;; :
      (local.set $p (call $skip_ws (local.get $p)))
      (if (i32.ne (call $at (local.get $p)) (i32.const 0x3a)) (then (return (call $fail (global.get $R_COLON)))))
      ;; value
      (local.set $p (call $skip_ws (i32.add (local.get $p) (i32.const 1))))
      (local.set $value_start (local.get $p))
      (local.set $p (call $skip_value (local.get $p)))
      (if (i32.lt_s (local.get $p) (i32.const 0)) (then (return (i32.const -1))))
      ;; remember it if this is the key we are looking for
      (if (local.get $key)
        (then
          (if (call $key_equals (local.get $key_start) (local.get $key_end) (local.get $key))
            (then
              (global.set $found_start (local.get $value_start))
              (global.set $found_end (local.get $p))))))
      ;; , or }
      (local.set $p (call $skip_ws (local.get $p)))
      (local.set $c (call $at (local.get $p)))
      (if (i32.eq (local.get $c) (i32.const 0x2c))
        (then
          (local.set $p (call $skip_ws (i32.add (local.get $p) (i32.const 1))))
          (br $member)))
      (if (i32.eq (local.get $c) (i32.const 0x7d))
        (then
          (global.set $depth (i32.sub (global.get $depth) (i32.const 1)))
          (return (i32.add (local.get $p) (i32.const 1)))))
      (return (call $fail (global.get $R_OBJECT_SEP))))
    (unreachable))

  ;; 1 when the scanned string token [$start, $end) (quotes included) decodes to the constant $key.
  ;; Decodes into scratch heap space and gives it back afterwards.
  (func $key_equals (param $start i32) (param $end i32) (param $key i32) (result i32)
    (local $saved i32) (local $dst i32) (local $n i32) (local $result i32)
    (local.set $saved (global.get $heap))
    (local.set $dst (call $reserve (i32.sub (local.get $end) (local.get $start))))
    (if (i32.eqz (local.get $dst)) (then (return (i32.const 0))))
    (local.set $n (call $decode_string (i32.add (local.get $start) (i32.const 1))
                                       (i32.sub (local.get $end) (i32.const 1))
                                       (local.get $dst)))
    (local.set $result (call $is (local.get $dst) (local.get $n) (local.get $key)))
    (global.set $heap (local.get $saved))
    (local.get $result))

  ;; Four hex digits at $p (already validated by $scan_string) as a number.
  (func $hex4 (param $p i32) (result i32)
    (i32.or
      (i32.or (i32.shl (call $hex_val (i32.load8_u (local.get $p))) (i32.const 12))
              (i32.shl (call $hex_val (i32.load8_u (i32.add (local.get $p) (i32.const 1)))) (i32.const 8)))
      (i32.or (i32.shl (call $hex_val (i32.load8_u (i32.add (local.get $p) (i32.const 2)))) (i32.const 4))
              (call $hex_val (i32.load8_u (i32.add (local.get $p) (i32.const 3)))))))

  ;; Decode the inner text [$src, $src_end) of a validated JSON string to UTF-8 at $dst; returns
  ;; the decoded length (never more than the raw length). A \uD8xx\uDCxx pair becomes one code
  ;; point; a lone surrogate becomes U+FFFD.
  (func $decode_string (param $src i32) (param $src_end i32) (param $dst i32) (result i32)
    (local $start i32) (local $c i32) (local $cp i32) (local $lo i32)
    (local.set $start (local.get $dst))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $src) (local.get $src_end)))
      (local.set $c (i32.load8_u (local.get $src)))
      (if (i32.ne (local.get $c) (i32.const 0x5c))
        (then ;; plain byte
          (i32.store8 (local.get $dst) (local.get $c))
          (local.set $src (i32.add (local.get $src) (i32.const 1)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
          (br $next)))
      ;; an escape: look at the letter after the backslash
      (local.set $c (i32.load8_u (i32.add (local.get $src) (i32.const 1))))
      (local.set $src (i32.add (local.get $src) (i32.const 2)))
      (if (i32.eq (local.get $c) (i32.const 0x75)) ;; \uXXXX
        (then
          (local.set $cp (call $hex4 (local.get $src)))
          (local.set $src (i32.add (local.get $src) (i32.const 4)))
          ;; a high surrogate followed by \u + a low surrogate: combine them
          (if (i32.eq (i32.and (local.get $cp) (i32.const 0xfc00)) (i32.const 0xd800))
            (then
              (if (i32.le_u (i32.add (local.get $src) (i32.const 6)) (local.get $src_end))
                (then
                  (if (i32.and (i32.eq (i32.load8_u (local.get $src)) (i32.const 0x5c))
                               (i32.eq (i32.load8_u (i32.add (local.get $src) (i32.const 1))) (i32.const 0x75)))
                    (then
                      (local.set $lo (call $hex4 (i32.add (local.get $src) (i32.const 2))))
                      (if (i32.eq (i32.and (local.get $lo) (i32.const 0xfc00)) (i32.const 0xdc00))
                        (then
                          (local.set $cp
                            (i32.add (i32.const 0x10000)
                              (i32.or (i32.shl (i32.sub (local.get $cp) (i32.const 0xd800)) (i32.const 10))
                                      (i32.sub (local.get $lo) (i32.const 0xdc00)))))
                          (local.set $src (i32.add (local.get $src) (i32.const 6)))))))))))
          ;; still a surrogate: it was unpaired
          (if (i32.eq (i32.and (local.get $cp) (i32.const 0xf800)) (i32.const 0xd800))
            (then (local.set $cp (i32.const 0xfffd))))
          (local.set $dst (call $utf8_put (local.get $dst) (local.get $cp)))
          (br $next)))
      ;; one-letter escapes; \" \\ \/ stand for themselves
      (i32.store8 (local.get $dst) (call $unescape (local.get $c)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
      (br $next)))
    (i32.sub (local.get $dst) (local.get $start)))

  (func $unescape (param $c i32) (result i32)
    (if (i32.eq (local.get $c) (i32.const 0x62)) (then (return (i32.const 0x08)))) ;; \b
    (if (i32.eq (local.get $c) (i32.const 0x66)) (then (return (i32.const 0x0c)))) ;; \f
    (if (i32.eq (local.get $c) (i32.const 0x6e)) (then (return (i32.const 0x0a)))) ;; \n
    (if (i32.eq (local.get $c) (i32.const 0x72)) (then (return (i32.const 0x0d)))) ;; \r
    (if (i32.eq (local.get $c) (i32.const 0x74)) (then (return (i32.const 0x09)))) ;; \t
    (local.get $c))

  ;; Write code point $cp as UTF-8 at $dst; returns the position after it.
  (func $utf8_put (param $dst i32) (param $cp i32) (result i32)
    (if (i32.lt_u (local.get $cp) (i32.const 0x80))
      (then
        (i32.store8 (local.get $dst) (local.get $cp))
        (return (i32.add (local.get $dst) (i32.const 1)))))
    (if (i32.lt_u (local.get $cp) (i32.const 0x800))
      (then
        (i32.store8 (local.get $dst) (i32.or (i32.const 0xc0) (i32.shr_u (local.get $cp) (i32.const 6))))
        (i32.store8 offset=1 (local.get $dst) (i32.or (i32.const 0x80) (i32.and (local.get $cp) (i32.const 0x3f))))
        (return (i32.add (local.get $dst) (i32.const 2)))))
    (if (i32.lt_u (local.get $cp) (i32.const 0x10000))
      (then
        (i32.store8 (local.get $dst) (i32.or (i32.const 0xe0) (i32.shr_u (local.get $cp) (i32.const 12))))
        (i32.store8 offset=1 (local.get $dst)
          (i32.or (i32.const 0x80) (i32.and (i32.shr_u (local.get $cp) (i32.const 6)) (i32.const 0x3f))))
        (i32.store8 offset=2 (local.get $dst) (i32.or (i32.const 0x80) (i32.and (local.get $cp) (i32.const 0x3f))))
        (return (i32.add (local.get $dst) (i32.const 3)))))
    (i32.store8 (local.get $dst) (i32.or (i32.const 0xf0) (i32.shr_u (local.get $cp) (i32.const 18))))
    (i32.store8 offset=1 (local.get $dst)
      (i32.or (i32.const 0x80) (i32.and (i32.shr_u (local.get $cp) (i32.const 12)) (i32.const 0x3f))))
    (i32.store8 offset=2 (local.get $dst)
      (i32.or (i32.const 0x80) (i32.and (i32.shr_u (local.get $cp) (i32.const 6)) (i32.const 0x3f))))
    (i32.store8 offset=3 (local.get $dst) (i32.or (i32.const 0x80) (i32.and (local.get $cp) (i32.const 0x3f))))
    (i32.add (local.get $dst) (i32.const 4)))

  ;; ---------------------------------------------------------------------------------------
  ;; Responses
  ;; ---------------------------------------------------------------------------------------

  ;; {"success":false,"error":"invalid request: <reason>","error_code":"invalid_request"}
  ;; The request copy is no longer needed, so the heap starts over (this also makes room to
  ;; answer a request that filled the memory).
  (func $invalid (param $reason i32) (result i32)
    (global.set $heap (global.get $HEAP_BASE))
    (call $out_begin)
    (call $emit_str (global.get $S_INVALID_PREFIX))
    (call $emit_str (local.get $reason))
    (call $emit_str (global.get $S_INVALID_SUFFIX))
    (call $out_send)
    (i32.const 0))

  ;; echo: {"success":true,"data":<params JSON text, byte for byte>}
  (func $cmd_echo (param $params i32) (param $params_end i32) (result i32)
    (call $out_begin)
    (call $emit_str (global.get $S_OK_PREFIX))
    (call $emit (local.get $params) (i32.sub (local.get $params_end) (local.get $params)))
    (call $emit_str (global.get $S_CLOSE))
    (call $out_send)
    (i32.const 0))

  ;; greet: params must be an object with a non-empty string "name". Logs "greeting <name>" at
  ;; info level, then answers "Hello, <name>!". The name's raw JSON text is reused on both sides.
  (func $cmd_greet (param $params i32) (result i32)
    (local $name i32) (local $name_len i32)
    (if (i32.ne (i32.load8_u (local.get $params)) (i32.const 0x7b))
      (then (call $send_str (global.get $S_GREET_NO_NAME)) (return (i32.const 0))))
    ;; the request was fully validated already, so this scan cannot fail
    (global.set $found_start (i32.const 0))
    (drop (call $scan_object (local.get $params) (global.get $S_NAME)))
    (if (i32.or (i32.eqz (global.get $found_start))
                (i32.ne (i32.load8_u (global.get $found_start)) (i32.const 0x22)))
      (then (call $send_str (global.get $S_GREET_NO_NAME)) (return (i32.const 0))))
    ;; inner text of the string, without its quotes
    (local.set $name (i32.add (global.get $found_start) (i32.const 1)))
    (local.set $name_len (i32.sub (i32.sub (global.get $found_end) (global.get $found_start)) (i32.const 2)))
    (if (i32.eqz (local.get $name_len))
      (then (call $send_str (global.get $S_GREET_NO_NAME)) (return (i32.const 0))))
    ;; host_log {"level":"info","message":"greeting <name>"}
    (call $out_begin)
    (call $emit_str (global.get $S_GREET_LOG))
    (call $emit (local.get $name) (local.get $name_len))
    (call $emit_str (global.get $S_QUOTE_CLOSE))
    (call $out_log)
    ;; {"success":true,"data":"Hello, <name>!"}
    (call $out_begin)
    (call $emit_str (global.get $S_HELLO_PREFIX))
    (call $emit (local.get $name) (local.get $name_len))
    (call $emit_str (global.get $S_BANG_CLOSE))
    (call $out_send)
    (i32.const 0))

  ;; time: host_get_timestamp (input ignored; we pass "{}") answers milliseconds since the epoch as
  ;; decimal text; it is checked to be a JSON integer (digits, no leading zero, at most 19 of
  ;; them) and returned as a number.
  (func $cmd_time (result i32)
    (local $h i64) (local $reply i64) (local $n i32) (local $buf i32) (local $i i32) (local $ok i32)
    (local.set $h (call $block_from (global.get $S_EMPTY_OBJ) (i32.const 2)))
    (local.set $reply (call $host_get_timestamp (local.get $h)))
    (call $free (local.get $h))
    (if (i64.ne (local.get $reply) (i64.const 0))
      (then
        (if (i64.le_u (call $length (local.get $reply)) (i64.const 19))
          (then (local.set $n (i32.wrap_i64 (call $length (local.get $reply))))))))
    (local.set $ok (i32.gt_u (local.get $n) (i32.const 0)))
    (local.set $buf (call $reserve (local.get $n)))
    (if (i32.eqz (local.get $buf)) (then (local.set $ok (i32.const 0))))
    ;; copy the reply into memory, checking every byte is a digit
    (if (local.get $ok)
      (then
        (block $done (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (i32.store8 (i32.add (local.get $buf) (local.get $i))
                      (call $load_u8 (i64.add (local.get $reply) (i64.extend_i32_u (local.get $i)))))
          (if (i32.eqz (call $is_digit (i32.load8_u (i32.add (local.get $buf) (local.get $i)))))
            (then (local.set $ok (i32.const 0))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
        ;; "0" is fine, "0123" is not a JSON number
        (if (i32.and (i32.gt_u (local.get $n) (i32.const 1))
                     (i32.eq (i32.load8_u (local.get $buf)) (i32.const 0x30)))
          (then (local.set $ok (i32.const 0))))))
    (if (i64.ne (local.get $reply) (i64.const 0)) (then (call $free (local.get $reply))))
    (if (i32.eqz (local.get $ok))
      (then (call $send_str (global.get $S_TIME_BAD)) (return (i32.const 0))))
    ;; {"success":true,"data":<digits>}
    (call $out_begin)
    (call $emit_str (global.get $S_OK_PREFIX))
    (call $emit (local.get $buf) (local.get $n))
    (call $emit_str (global.get $S_CLOSE))
    (call $out_send)
    (i32.const 0))

  ;; {"success":false,"error":"unknown command: <command>","error_code":"unknown_command"}
  ;; [$start, $end) is the command's string token; its inner raw text is pasted as is.
  (func $cmd_unknown (param $start i32) (param $end i32) (result i32)
    (call $out_begin)
    (call $emit_str (global.get $S_UNKNOWN_PREFIX))
    (call $emit (i32.add (local.get $start) (i32.const 1))
                (i32.sub (i32.sub (local.get $end) (local.get $start)) (i32.const 2)))
    (call $emit_str (global.get $S_UNKNOWN_SUFFIX))
    (call $out_send)
    (i32.const 0))

  ;; ---------------------------------------------------------------------------------------
  ;; Exports
  ;; ---------------------------------------------------------------------------------------

  ;; manifest: "" -> GuestManifest
  (func (export "manifest") (result i32)
    (call $reset)
    (call $send_str (global.get $S_MANIFEST))
    (i32.const 0))

  ;; handle_command: CommandRequest -> CommandResponse. Always sets an output; never traps.
  (func (export "handle_command") (result i32)
    (local $request i32) (local $p i32) (local $e i32)
    (local $cmd i32) (local $cmd_end i32) (local $params i32) (local $params_end i32)
    (local $name i32) (local $name_len i32)
    (call $reset)
    (local.set $request (call $read_input))
    (if (i32.eqz (local.get $request))
      (then (return (call $invalid (global.get $R_REQUEST_TOO_LARGE)))))
    (local.set $p (call $skip_ws (local.get $request)))
    (if (i32.ne (call $at (local.get $p)) (i32.const 0x7b))
      (then (return (call $invalid (global.get $R_NOT_OBJECT)))))

    ;; Pass 1: validate the whole request and find the top-level "command".
    (global.set $found_start (i32.const 0))
    (local.set $e (call $scan_object (local.get $p) (global.get $S_COMMAND)))
    (if (i32.lt_s (local.get $e) (i32.const 0))
      (then (return (call $invalid (global.get $err)))))
    (if (i32.ne (call $skip_ws (local.get $e)) (global.get $end))
      (then (return (call $invalid (global.get $R_TRAILING)))))
    (if (i32.eqz (global.get $found_start))
      (then (return (call $invalid (global.get $R_NO_COMMAND)))))
    (if (i32.ne (i32.load8_u (global.get $found_start)) (i32.const 0x22))
      (then (return (call $invalid (global.get $R_COMMAND_TYPE)))))
    (local.set $cmd (global.get $found_start))
    (local.set $cmd_end (global.get $found_end))

    ;; Pass 2: find the top-level "params" (absent means null). Cannot fail: pass 1 validated it.
    (global.set $found_start (i32.const 0))
    (drop (call $scan_object (local.get $p) (global.get $S_PARAMS)))
    (if (global.get $found_start)
      (then
        (local.set $params (global.get $found_start))
        (local.set $params_end (global.get $found_end)))
      (else
        (local.set $params (global.get $S_NULL))
        (local.set $params_end (i32.add (global.get $S_NULL) (i32.const 4)))))

    ;; Decode the command name (escapes and all) into scratch space and dispatch on it.
    (local.set $name (call $reserve (i32.sub (local.get $cmd_end) (local.get $cmd))))
    (if (i32.eqz (local.get $name))
      (then (return (call $invalid (global.get $R_REQUEST_TOO_LARGE)))))
    (local.set $name_len (call $decode_string (i32.add (local.get $cmd) (i32.const 1))
                                              (i32.sub (local.get $cmd_end) (i32.const 1))
                                              (local.get $name)))
    (if (call $is (local.get $name) (local.get $name_len) (global.get $S_PING))
      (then (call $send_str (global.get $S_PONG)) (return (i32.const 0))))
    (if (call $is (local.get $name) (local.get $name_len) (global.get $S_ECHO))
      (then (return (call $cmd_echo (local.get $params) (local.get $params_end)))))
    (if (call $is (local.get $name) (local.get $name_len) (global.get $S_GREET))
      (then (return (call $cmd_greet (local.get $params)))))
    (if (call $is (local.get $name) (local.get $name_len) (global.get $S_TIME))
      (then (return (call $cmd_time))))
    (call $cmd_unknown (local.get $cmd) (local.get $cmd_end)))

  ;; init: InitContext -> ignored. Nothing to set up.
  (func (export "init") (result i32)
    (call $reset)
    (i32.const 0))

  ;; shutdown: "{}" -> ignored. Nothing to tear down.
  (func (export "shutdown") (result i32)
    (call $reset)
    (i32.const 0))

  ;; on_event: GuestEvent -> ignored. Accepts anything; when the input is a JSON object with a
  ;; string "event_type", logs {"level":"debug","message":"plinth-golden.wat received event <type>"}.
  (func (export "on_event") (result i32)
    (local $p i32)
    (call $reset)
    (local.set $p (call $read_input))
    (if (i32.eqz (local.get $p)) (then (return (i32.const 0))))
    (local.set $p (call $skip_ws (local.get $p)))
    (if (i32.ne (call $at (local.get $p)) (i32.const 0x7b)) (then (return (i32.const 0))))
    (if (i32.lt_s (call $scan_object (local.get $p) (global.get $S_EVENT_TYPE)) (i32.const 0))
      (then (return (i32.const 0))))
    (if (i32.eqz (global.get $found_start)) (then (return (i32.const 0))))
    (if (i32.ne (i32.load8_u (global.get $found_start)) (i32.const 0x22)) (then (return (i32.const 0))))
    (call $out_begin)
    (call $emit_str (global.get $S_EVENT_LOG))
    (call $emit (i32.add (global.get $found_start) (i32.const 1))
                (i32.sub (i32.sub (global.get $found_end) (global.get $found_start)) (i32.const 2)))
    (call $emit_str (global.get $S_QUOTE_CLOSE))
    (call $out_log)
    (i32.const 0))
)
