import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@plinth/testkit',
    include: ['src/**/*.test.ts'],
  },
});
