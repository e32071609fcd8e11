import { defineProject } from 'vitest/config';

// The parts that need no browser (ordering, the write-behind queue, option checks). The browser backends
// themselves run in Chromium: test/browser/host-browser.test.ts.
export default defineProject({
  test: {
    name: '@plinth/host-browser',
    include: ['src/**/*.test.ts'],
  },
});
