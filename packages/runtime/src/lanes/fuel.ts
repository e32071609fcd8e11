import { PlinthError, type PlinthErrorContext } from '@plinth/protocol';
import { describeCall } from '../call-errors.js';
import { FuelExhausted, type FuelPhase } from './fuel-account.js';

export { FuelAccount, FuelExhausted, isMetered, type FuelBudgets, type FuelPhase } from './fuel-account.js';

/** The exhaustion a rejection is, when the guest was stopped for running out of fuel. */
export function fuelExhaustion(
  rejection: unknown,
): { phase: FuelPhase; budget: number; used: number } | undefined {
  return rejection instanceof FuelExhausted ? rejection : undefined;
}

/** The typed error for a call (or an instantiation) that ran out of fuel. */
export function fuelExhaustedError(
  exhaustion: { phase: FuelPhase; budget: number; used: number },
  context: PlinthErrorContext,
  cause?: unknown,
): PlinthError {
  const limit = exhaustion.phase === 'load' ? 'fuelPerLoad' : 'fuelPerCall';
  return new PlinthError(
    'fuel_exhausted',
    `${describeCall(context)} ran out of fuel: it used ${exhaustion.used} of its budget of ${exhaustion.budget} (${limit}); the instance is replaced before the next call`,
    { ...context, limit, fuelBudget: exhaustion.budget, fuelUsed: exhaustion.used, cause },
  );
}
