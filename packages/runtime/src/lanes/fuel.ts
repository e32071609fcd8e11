import { PlinthError, type PlinthErrorContext } from '@plinth/protocol';
import { describeCall } from '../call-errors.js';
import { FuelExhausted, MARKER_PATTERN, type FuelPhase } from './fuel-account.js';

export { FuelAccount, FuelExhausted, isMetered, type FuelBudgets, type FuelPhase } from './fuel-account.js';

/** What a rejection says about fuel, when it is an exhaustion (also after the worker serialized it). */
export function fuelExhaustion(
  rejection: unknown,
): { phase: FuelPhase; budget: number; used: number } | undefined {
  if (rejection instanceof FuelExhausted) return rejection;
  const message =
    typeof rejection === 'object' && rejection !== null
      ? (rejection as { message?: unknown }).message
      : undefined;
  if (typeof message !== 'string') return undefined;
  const match = MARKER_PATTERN.exec(message);
  if (!match) return undefined;
  return { phase: match[1] as FuelPhase, budget: Number(match[2]), used: Number(match[3]) };
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
