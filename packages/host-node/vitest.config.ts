import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@plinth/host-node',
    include: ['src/**/*.test.ts'],
  },
});
