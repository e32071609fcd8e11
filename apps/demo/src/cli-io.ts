/** Where the CLI writes and what stops its long-running commands; `main` never touches process.* itself. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Aborted to stop `logs --follow`, `events --follow`, `mcp` and `dashboard` (the bin wires SIGINT/SIGTERM to it). */
  signal?: AbortSignal;
  env?: Readonly<Record<string, string | undefined>>;
  /** Whether a person can answer questions (stdin is a terminal): `install` then asks before granting. */
  interactive?: boolean;
  /** Asks one question and resolves the answer line, or undefined once input has ended. */
  prompt?: (question: string) => Promise<string | undefined>;
}

/** A failure with the exit code it maps to: 1 for an operation that failed, 2 for a usage mistake. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string) {
    super(message, 2);
  }
}

/** Resolves when the signal aborts (never, without one). */
export function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!signal) return;
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
