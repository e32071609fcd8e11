import { FUEL_COUNTER_EXPORT, FUEL_NAMESPACE, FUEL_REFILL_IMPORT } from '../module/meter/fuel-abi.js';

/**
 * The host side of fuel metering, shared by both lanes (the isolated lane runs it inside its worker, so
 * this file imports nothing heavy). A metered guest charges its own counter and calls `refill` when the
 * counter goes negative; the account grants fuel from the running phase's budget in chunks, or throws
 * `FuelExhausted`, which unwinds the guest. Around each call the lane zeroes the counter and reads what is
 * left, so fuel used is exact and depends only on the module and the input.
 */

/** Fuel granted per refill: large enough that refills are rare, small enough to stop within budget. */
const CHUNK = 1_000_000;

export type FuelPhase = 'load' | 'call';

export interface FuelBudgets {
  fuelPerCall: number;
  fuelPerLoad: number;
}

/** Thrown from `refill` to stop a guest (the isolated lane's worker sends its fields along). */
export class FuelExhausted extends Error {
  readonly phase: FuelPhase;
  readonly budget: number;
  readonly used: number;
  constructor(phase: FuelPhase, budget: number, used: number) {
    super(`out of fuel while ${phase === 'load' ? 'loading' : 'calling'}: used ${used} of ${budget}`);
    this.name = 'FuelExhausted';
    this.phase = phase;
    this.budget = budget;
    this.used = used;
  }
}

/** Whether a module was metered by the loader (it imports the refill function). */
export function isMetered(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some(
    (entry) => entry.module === FUEL_NAMESPACE && entry.name === FUEL_REFILL_IMPORT,
  );
}

export class FuelAccount {
  readonly #budgets: FuelBudgets;
  #counter: WebAssembly.Global | undefined;
  #phase: FuelPhase = 'load';
  #budget: number;
  #granted = 0;

  constructor(budgets: FuelBudgets) {
    this.#budgets = budgets;
    this.#budget = budgets.fuelPerLoad;
  }

  /** The `plinth:fuel` imports for @extism/extism's `functions` option. */
  imports(): Record<string, Record<string, (context: unknown, current: bigint) => bigint>> {
    return { [FUEL_NAMESPACE]: { [FUEL_REFILL_IMPORT]: (_context, current) => this.refill(current) } };
  }

  refill(current: bigint): bigint {
    const owed = -Number(current);
    const left = this.#budget - this.#granted;
    if (owed > left) throw new FuelExhausted(this.#phase, this.#budget, this.#granted + owed);
    const grant = Math.max(owed, Math.min(CHUNK, left));
    this.#granted += grant;
    return current + BigInt(grant);
  }

  /**
   * Starts metering a new instance's load (its start function and `_initialize` run while it is created).
   * Call before creating the instance.
   */
  beginLoad(): void {
    this.#counter = undefined;
    this.#phase = 'load';
    this.#budget = this.#budgets.fuelPerLoad;
    this.#granted = 0;
  }

  /** Takes the new instance's counter; returns the fuel its instantiation used. */
  attach(instance: WebAssembly.Instance): number {
    const counter = instance.exports[FUEL_COUNTER_EXPORT];
    if (!(counter instanceof WebAssembly.Global)) {
      throw new Error(`a metered module must export its fuel counter as "${FUEL_COUNTER_EXPORT}"`);
    }
    this.#counter = counter;
    return this.#granted - Number(counter.value as bigint);
  }

  /** Starts a call: a fresh counter and the phase's budget. */
  begin(phase: FuelPhase): void {
    this.#phase = phase;
    this.#budget = phase === 'load' ? this.#budgets.fuelPerLoad : this.#budgets.fuelPerCall;
    this.#granted = 0;
    if (this.#counter) this.#counter.value = 0n;
  }

  /** Fuel the call used (after it returned, or failed for any reason but exhaustion). */
  end(): number {
    const left = this.#counter ? Number(this.#counter.value as bigint) : 0;
    return this.#granted - left;
  }
}
