/** Thrown by WASI's `proc_exit`: the guest ended itself with an exit code. */
export class GuestExit extends Error {
  readonly exitCode: number;
  constructor(exitCode: number) {
    super(`the guest exited with code ${exitCode} (WASI proc_exit)`);
    this.name = 'GuestExit';
    this.exitCode = exitCode;
  }
}
