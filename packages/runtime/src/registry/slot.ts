import type { PluginHandle } from './plugin-handle.js';

/** A plugin instance and the calls running on it, so a reload can wait for them. */
export class Slot {
  inFlight = 0;
  #drained: (() => void)[] = [];
  constructor(readonly handle: PluginHandle) {}
  enter(): void {
    this.inFlight += 1;
  }
  leave(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const resolve of this.#drained.splice(0)) resolve();
  }
  drain(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.#drained.push(resolve));
  }
}
