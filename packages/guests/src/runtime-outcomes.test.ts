import { describe, expect, it } from 'vitest';
import { listGuests } from './catalogue.js';
import { RUNTIME_OUTCOME_CODES } from './runtime-outcomes.js';

describe('RUNTIME_OUTCOME_CODES', () => {
  it('names only outcomes some hostile guest of the corpus has', () => {
    const outcomes = new Set(listGuests({ kind: 'hostile' }).flatMap((guest) => guest.outcome ?? []));
    for (const outcome of Object.keys(RUNTIME_OUTCOME_CODES)) expect(outcomes, outcome).toContain(outcome);
  });
});
