import { PlinthError, type PlinthErrorCode, type PlinthErrorOptions } from '@plinth/protocol';
import type { ModuleProblem } from '../module/module-problem.js';

const MARKER = Symbol.for('plinth.load-error');

/**
 * A module the loader refused. Besides the message, it carries every problem found in structured form
 * (each import that is not allowed, the memory refusal, …) so an embedding app can show them one by one.
 */
export class LoadError extends PlinthError {
  readonly [MARKER] = true;
  /** Empty when the failure is not about the module's content (a fetch that failed, a sha256 mismatch). */
  readonly problems: readonly ModuleProblem[];

  constructor(
    code: PlinthErrorCode,
    message: string,
    options: PlinthErrorOptions & { problems?: readonly ModuleProblem[] } = {},
  ) {
    const { problems = [], ...rest } = options;
    super(code, message, rest);
    this.name = 'LoadError';
    this.problems = problems;
  }

  /** True for any LoadError, even one created by another copy of this package. */
  static override isInstance(value: unknown): value is LoadError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }
}
