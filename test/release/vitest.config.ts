import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The release checks (`pnpm test:release`, run by .ci/run after scripts/check.sh): the packed tarballs
// installed by npm outside the workspace, and a release dry run on a scratch copy. They install from the
// npm registry and take a minute or two, so they are not part of `pnpm test`.
export default defineConfig({
  test: {
    name: 'release',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.release.test.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
