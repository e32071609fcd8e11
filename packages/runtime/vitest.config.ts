import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@plinth/runtime',
    include: ['src/**/*.test.ts'],
  },
});
