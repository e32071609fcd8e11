import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'repo',
    include: ['*.test.ts', 'contracts/*.test.ts', 'e2e/*.test.ts'],
  },
});
