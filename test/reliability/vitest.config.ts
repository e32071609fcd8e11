import { defineProject } from 'vitest/config';

const long = process.env['RELIABILITY_LONG'] === '1';

// The reliability suites (`pnpm test:reliability`; RELIABILITY_LONG=1 for the long runs). They load the
// machine on purpose, so they run one file at a time, and after every other project of a full run
// (groupOrder 1): their figures are not disturbed by the unit tests, nor the unit tests by them.
export default defineProject({
  test: {
    name: 'reliability',
    include: ['*.reliability.test.ts'],
    fileParallelism: false,
    sequence: { groupOrder: 1 },
    testTimeout: long ? 60 * 60_000 : 120_000,
    hookTimeout: 60_000,
  },
});
