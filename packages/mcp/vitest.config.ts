import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: '@plinth/mcp',
    include: ['src/**/*.test.ts'],
  },
});
