import { PlinthError } from '@plinth/protocol';

/**
 * The writes a synchronous mirror makes durable afterwards, one at a time in the order they were made.
 * The first failure sticks: every later `settled()` rejects with it and `assertWritable()` throws it, so a
 * write the store could not keep is never followed by writes answered as if all were well.
 */
export class WriteBehind {
  readonly #label: string;
  readonly #onFailure: ((error: PlinthError) => void) | undefined;
  #tail: Promise<void> = Promise.resolve();
  #failure: PlinthError | undefined;
  #closed = false;

  constructor(label: string, onFailure?: (error: PlinthError) => void) {
    this.#label = label;
    this.#onFailure = onFailure;
  }

  /** The persistence failure, once there is one. */
  get failure(): PlinthError | undefined {
    return this.#failure;
  }

  /** Throws unless the mirror may change: call before every write to it. */
  assertWritable(what: string): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#closed) throw new PlinthError('closed', `${this.#label} is closed; cannot ${what}`);
  }

  /** Throws once closed: call before every read. */
  assertOpen(what: string): void {
    if (this.#closed) throw new PlinthError('closed', `${this.#label} is closed; cannot ${what}`);
  }

  /** Runs `write` after every write queued before it; `what` names it if it fails. */
  enqueue(what: () => string, write: () => Promise<void>): void {
    this.#tail = this.#tail.then(async () => {
      // After a failure the stored copy is already behind the mirror: later writes would only hide that.
      if (this.#failure !== undefined) return;
      try {
        await write();
      } catch (cause) {
        this.fail(`${what()} could not be saved`, cause);
      }
    });
  }

  /** Records the failure (the first one wins) and tells the owner. */
  fail(problem: string, cause?: unknown): void {
    if (this.#failure !== undefined) return;
    const reason = cause === undefined ? '' : `: ${describeCause(cause)}`;
    this.#failure = new PlinthError(
      'persistence_failed',
      `${this.#label}: ${problem}${reason}. Writes are refused from now on; reopen the store to continue from what was saved`,
      cause === undefined ? {} : { cause },
    );
    this.#onFailure?.(this.#failure);
  }

  /** Resolves once every write queued so far is durable; rejects with the failure when one was not. */
  async settled(): Promise<void> {
    let tail: Promise<void>;
    do {
      tail = this.#tail;
      await tail;
    } while (tail !== this.#tail);
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Refuses reads and writes from now on; `settled()` still tells how the queued writes ended. */
  close(): void {
    this.#closed = true;
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error)
    return cause.name === 'Error' ? cause.message : `${cause.name}: ${cause.message}`;
  return String(cause);
}
