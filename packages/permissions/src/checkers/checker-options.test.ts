import { OptionsError } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { createAllowAllChecker } from './allow-all.js';
import { createAskChecker } from './ask-checker.js';
import { requireAll } from './compose.js';
import { createDenyAllChecker } from './deny-all.js';
import { createPolicyChecker } from './policy-checker.js';

/** The problems of the OptionsError `make` throws, after checking its code and factory. */
function refused(factory: string, make: () => unknown): OptionsError['problems'] {
  try {
    make();
  } catch (error) {
    if (!OptionsError.isInstance(error)) throw error;
    expect(error.code).toBe('invalid_options');
    expect(error.factory).toBe(factory);
    return error.problems;
  }
  throw new Error(`${factory} accepted the options`);
}

// Calls as a JavaScript caller could write them: no types to stop a mistake.
const untyped = <F extends (...args: never[]) => unknown>(factory: F) =>
  factory as unknown as (...args: unknown[]) => ReturnType<F>;

describe('checker factories check their options', () => {
  it('createPolicyChecker needs a policy', () => {
    expect(refused('createPolicyChecker', () => untyped(createPolicyChecker)({}))).toEqual([
      {
        path: 'policy',
        message:
          'is required (a policy document, a CompiledPolicy, a PolicyStore or a function returning a policy)',
      },
    ]);
    expect(refused('createPolicyChecker', () => untyped(createPolicyChecker)({ policy: 'p.yaml' }))).toEqual([
      {
        path: 'policy',
        message:
          'must be a policy document, a CompiledPolicy, a PolicyStore or a function returning a policy (got "p.yaml")',
      },
    ]);
  });

  it('createPolicyChecker refuses an unknown key, naming the one meant', () => {
    expect(
      refused('createPolicyChecker', () =>
        untyped(createPolicyChecker)({ policy: { plugins: {} }, onError: 1 }),
      ),
    ).toEqual([{ path: 'onError', message: 'is unknown' }]);
    expect(
      refused('createPolicyChecker', () =>
        untyped(createPolicyChecker)({ policy: { plugins: {} }, adit: () => {} }),
      ),
    ).toEqual([{ path: 'adit', message: 'is unknown (did you mean `audit`?)' }]);
  });

  it('createAskChecker needs a checker as base and a function as ask', () => {
    expect(refused('createAskChecker', () => untyped(createAskChecker)({ base: {}, ask: 'yes' }))).toEqual([
      { path: 'base', message: 'must be a PermissionChecker (with check and checkAsync) (got {})' },
      { path: 'ask', message: 'must be a function asking the user (prompt) => answer (got "yes")' },
    ]);
  });

  it('deny-all and allow-all take an audit sink only', () => {
    expect(refused('createDenyAllChecker', () => untyped(createDenyAllChecker)({ audit: [] }))).toEqual([
      {
        path: 'audit',
        message: 'must be an AuditSink (a function taking each decision) (got an array of 0)',
      },
    ]);
    expect(refused('createAllowAllChecker', () => untyped(createAllowAllChecker)(null))).toEqual([
      { path: '', message: 'must be an object (got null)' },
    ]);
  });

  it('requireAll names the bad checker in the list', () => {
    expect(
      refused('requireAll', () => untyped(requireAll)([createDenyAllChecker(), { check: () => {} }])),
    ).toEqual([
      {
        path: 'checkers[1]',
        message: 'must be a PermissionChecker (with check and checkAsync) (got { check })',
      },
    ]);
  });
});
