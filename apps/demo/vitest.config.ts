import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@plinth/demo',
    include: ['src/**/*.test.ts'],
  },
});
