/**
 * Lets one call at a time into an instance (an instance is not reentrant); the others wait in arrival
 * order. A lane's call does `const wait = gate.enter(); if (wait) await wait; try { … } finally {
 * gate.leave(); }`: an idle gate lets the call in at once, with no promise, closure or microtask hop — the
 * in-thread hot path pays for none of them.
 */
export class CallGate {
  #busy = false;
  readonly #waiting: (() => void)[] = [];
  #drained: (() => void)[] = [];

  /** Undefined when the caller may run now; otherwise a promise that settles when it is its turn. */
  enter(): Promise<void> | undefined {
    if (!this.#busy) {
      this.#busy = true;
      return undefined;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Ends the running call: the gate passes straight to the next waiter, so no newcomer can overtake it. */
  leave(): void {
    const next = this.#waiting.shift();
    if (next) return next();
    this.#busy = false;
    if (this.#drained.length > 0) {
      const drained = this.#drained;
      this.#drained = [];
      for (const resolve of drained) resolve();
    }
  }

  /** Settles once no call is running or waiting. */
  drained(): Promise<void> {
    return this.#busy ? new Promise((resolve) => this.#drained.push(resolve)) : Promise.resolve();
  }
}
