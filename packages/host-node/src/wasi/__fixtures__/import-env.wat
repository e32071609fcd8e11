;; Imports a function that is not WASI, which the host must refuse before running anything.
(module
  (import "env" "format_disk" (func $format))
  (memory (export "memory") 1)
  (func (export "_start") (call $format)))
