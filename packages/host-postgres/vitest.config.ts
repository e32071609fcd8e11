import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@plinth/host-postgres',
    include: ['src/**/*.test.ts'],
  },
});
