import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@plinth/host-kit',
    include: ['src/**/*.test.ts'],
  },
});
