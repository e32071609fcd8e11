;; A generic Extism plugin that uses WASI preview 1 directly: files under the folders the manifest's
;; allowed_paths mounts (the first at fd 3, the second at fd 4), stdout and stderr, and proc_exit.
;;   read / read_ro: output = the file at the input path under fd 3 / fd 4, or "errno:N"
;;   write / write_ro: creates the file at the input path under fd 3 / fd 4 with "written by wat-wasi"
;;     (output "ok", or "errno:N")
;;   mkdir_ro: path_create_directory of the input path under fd 4 (output "ok" or "errno:N")
;;   symlink: path_symlink("/etc/passwd" -> the input path under fd 3) (output "ok" or "errno:N")
;;   print: the input to stdout, then "to stderr" to stderr (output "ok")
;;   exit: proc_exit(3)
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $path_create_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink"
    (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1 2)
  ;; 0: scratch words (fd out, iovec, counts); 64: constant texts; 1024: the input; 8192: file bytes.
  (data (i32.const 64) "written by wat-wasi")
  (data (i32.const 96) "to stderr\n")
  (data (i32.const 112) "/etc/passwd")
  (data (i32.const 128) "ok")
  (data (i32.const 136) "errno:")

  ;; Copies the input (at most 4096 bytes) to 1024; answers its length.
  (func $input (result i32)
    (local $len i32) (local $i i32)
    (local.set $len (i32.wrap_i64 (call $input_length)))
    (if (i32.gt_u (local.get $len) (i32.const 4096)) (then (local.set $len (i32.const 4096))))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (i32.store8 (i32.add (i32.const 1024) (local.get $i))
          (call $input_load_u8 (i64.extend_i32_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (local.get $len))

  ;; Sets the output to `len` bytes of memory at `at`.
  (func $output (param $at i32) (param $len i32)
    (local $block i64) (local $i i32)
    (local.set $block (call $alloc (i64.extend_i32_u (local.get $len))))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (call $store_u8 (i64.add (local.get $block) (i64.extend_i32_u (local.get $i)))
          (i32.load8_u (i32.add (local.get $at) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (call $output_set (local.get $block) (i64.extend_i32_u (local.get $len))))

  ;; Output "ok" for errno 0, else "errno:N" (N below 100).
  (func $answer (param $errno i32) (result i32)
    (if (i32.eqz (local.get $errno))
      (then (call $output (i32.const 128) (i32.const 2)) (return (i32.const 0))))
    (i32.store8 (i32.const 142) (i32.add (i32.const 48) (i32.div_u (local.get $errno) (i32.const 10))))
    (i32.store8 (i32.const 143) (i32.add (i32.const 48) (i32.rem_u (local.get $errno) (i32.const 10))))
    (call $output (i32.const 136) (i32.const 8))
    (i32.const 0))

  (func $read_under (param $dir i32) (result i32)
    (local $errno i32) (local $fd i32)
    ;; rights: fd_read, fd_seek, fd_tell, fd_filestat_get
    (local.set $errno (call $path_open (local.get $dir) (i32.const 0) (i32.const 1024) (call $input)
      (i32.const 0) (i64.const 2097190) (i64.const 0) (i32.const 0) (i32.const 0)))
    (if (local.get $errno) (then (return (call $answer (local.get $errno)))))
    (local.set $fd (i32.load (i32.const 0)))
    (i32.store (i32.const 8) (i32.const 8192))
    (i32.store (i32.const 12) (i32.const 32768))
    (local.set $errno (call $fd_read (local.get $fd) (i32.const 8) (i32.const 1) (i32.const 16)))
    (drop (call $fd_close (local.get $fd)))
    (if (local.get $errno) (then (return (call $answer (local.get $errno)))))
    (call $output (i32.const 8192) (i32.load (i32.const 16)))
    (i32.const 0))

  (func $write_under (param $dir i32) (result i32)
    (local $errno i32) (local $fd i32)
    ;; oflags: creat | trunc; rights: fd_read, fd_seek, fd_write
    (local.set $errno (call $path_open (local.get $dir) (i32.const 0) (i32.const 1024) (call $input)
      (i32.const 9) (i64.const 70) (i64.const 0) (i32.const 0) (i32.const 0)))
    (if (local.get $errno) (then (return (call $answer (local.get $errno)))))
    (local.set $fd (i32.load (i32.const 0)))
    (i32.store (i32.const 8) (i32.const 64))
    (i32.store (i32.const 12) (i32.const 19))
    (local.set $errno (call $fd_write (local.get $fd) (i32.const 8) (i32.const 1) (i32.const 16)))
    (drop (call $fd_close (local.get $fd)))
    (call $answer (local.get $errno)))

  (func (export "read") (result i32) (call $read_under (i32.const 3)))
  (func (export "read_ro") (result i32) (call $read_under (i32.const 4)))
  (func (export "write") (result i32) (call $write_under (i32.const 3)))
  (func (export "write_ro") (result i32) (call $write_under (i32.const 4)))

  (func (export "mkdir_ro") (result i32)
    (call $answer (call $path_create_directory (i32.const 4) (i32.const 1024) (call $input))))

  (func (export "symlink") (result i32)
    (local $len i32)
    (local.set $len (call $input))
    (call $answer (call $path_symlink (i32.const 112) (i32.const 11) (i32.const 3) (i32.const 1024)
      (local.get $len))))

  (func (export "print") (result i32)
    (i32.store (i32.const 8) (i32.const 1024))
    (i32.store (i32.const 12) (call $input))
    (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 16)))
    (i32.store (i32.const 8) (i32.const 96))
    (i32.store (i32.const 12) (i32.const 10))
    (drop (call $fd_write (i32.const 2) (i32.const 8) (i32.const 1) (i32.const 16)))
    (call $answer (i32.const 0)))

  (func (export "exit") (result i32)
    (call $proc_exit (i32.const 3))
    (i32.const 0)))
