import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@plinth/guests',
    include: ['src/**/*.test.ts'],
  },
});
