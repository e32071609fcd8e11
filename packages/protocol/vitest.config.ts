import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@plinth/protocol',
    include: ['src/**/*.test.ts'],
  },
});
