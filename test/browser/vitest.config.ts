import { defineProject } from 'vitest/config';

// The dashboard in a real browser: Debian's chromium at /usr/bin/chromium, driven by playwright-core (which
// never downloads a browser of its own). A missing chromium fails the run, it does not skip it:
// scripts/bootstrap-chromium.sh installs it.
export default defineProject({
  test: {
    name: 'browser',
    include: ['*.test.ts'],
    // A guard against a hung browser, not a speed assertion: waits are playwright's own.
    testTimeout: 60_000,
    globalSetup: ['./global-setup.ts'],
  },
});
