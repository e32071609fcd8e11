import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@plinth/signing',
    include: ['src/**/*.test.ts'],
  },
});
