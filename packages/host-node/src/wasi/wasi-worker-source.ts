// The worker that runs one WASI command, as CommonJS source for `new Worker(…, { eval: true })`: plain
// JavaScript, so it runs the same from dist and from TypeScript sources (tests) without a loader.
export const WASI_WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { WASI } = require('node:wasi');
const { bytes, args, env, root, stdin, stdout, stderr } = workerData;
let phase = 'compile';
let wasi;
// uvwasi closes neither the preopen nor files the module left open when the instance goes away; 0-2
// are the host's own fds and stay for the host to close.
const closeModuleFds = () => {
  if (wasi === undefined) return;
  try {
    for (let fd = 3, misses = 0; misses < 64; fd += 1) misses = wasi.wasiImport.fd_close(fd) === 0 ? 0 : misses + 1;
  } catch {
    // Never started: nothing was opened beyond the preopen, which the host's fd sweep closes.
  }
};
try {
  const module = new WebAssembly.Module(bytes);
  phase = 'instantiate';
  wasi = new WASI({
    version: 'preview1', args, env, preopens: { '/': root }, stdin, stdout, stderr, returnOnExit: true,
  });
  const instance = new WebAssembly.Instance(module, wasi.getImportObject());
  phase = 'start';
  const code = wasi.start(instance);
  closeModuleFds();
  parentPort.postMessage({ kind: 'exit', code });
} catch (error) {
  closeModuleFds();
  const message = error instanceof Error ? error.name + ': ' + error.message : String(error);
  parentPort.postMessage({ kind: 'error', phase, message });
}
`;

/** What the worker reports: the exit code, or the phase that failed. */
export type WasiWorkerMessage =
  | { kind: 'exit'; code: number }
  | { kind: 'error'; phase: 'compile' | 'instantiate' | 'start'; message: string };
