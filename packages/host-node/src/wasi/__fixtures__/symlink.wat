;; Hostile: plants leak.txt as a symlink to /etc/passwd (absolute) and leak2.txt to a relative path that
;; climbs out of the root, then tries to open leak2.txt following links. Writes the three errnos to
;; stdout as three bytes (0 = that step succeeded) and exits 0.
(module
  (import "wasi_snapshot_preview1" "path_symlink" (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "/etc/passwd")
  (data (i32.const 200) "leak.txt")
  (data (i32.const 300) "../../../../../../../../etc/passwd")
  (data (i32.const 400) "leak2.txt")
  (func (export "_start")
    (i32.store8 (i32.const 500)
      (call $symlink (i32.const 100) (i32.const 11) (i32.const 3) (i32.const 200) (i32.const 8)))
    (i32.store8 (i32.const 501)
      (call $symlink (i32.const 300) (i32.const 34) (i32.const 3) (i32.const 400) (i32.const 9)))
    (i32.store8 (i32.const 502)
      (call $open (i32.const 3) (i32.const 1) (i32.const 400) (i32.const 9) (i32.const 0)
        (i64.const 2) (i64.const 2) (i32.const 0) (i32.const 32)))
    (i32.store (i32.const 0) (i32.const 500))
    (i32.store (i32.const 4) (i32.const 3))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))))
