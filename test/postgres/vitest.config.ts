import { defineProject } from 'vitest/config';

// Tests against a real PostgreSQL server. The global setup starts one throwaway server for this project
// (only when a run includes one of its files) and fails the run, rather than skipping, when it cannot.
// Files run in parallel: each takes a database of its own (test-database.ts).
export default defineProject({
  test: {
    name: 'postgres',
    include: ['*.test.ts'],
    globalSetup: ['./global-setup.ts'],
  },
});
