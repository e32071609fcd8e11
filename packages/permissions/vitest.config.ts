import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@plinth/permissions',
    include: ['src/**/*.test.ts'],
  },
});
