import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@plinth/dashboard',
    include: ['src/**/*.test.ts'],
  },
});
