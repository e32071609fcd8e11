;; A reactor-style module: memory but no _start, so not a WASI command.
(module
  (memory (export "memory") 1)
  (func (export "main")))
