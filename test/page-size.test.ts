// The size budget of what a page loads to host plugins (issue #20): bundled and gzipped the same way
// `pnpm bench` reports it, held under the stated figure. Deterministic: bytes, not time.
import { describe, expect, it } from 'vitest';
import { measurePageSize, PAGE_GZIP_BUDGET_BYTES } from '../packages/host-browser/bench/page-size.mjs';

describe('page size', () => {
  it('keeps protocol + permissions + runtime (with runtime/browser) + host-browser under the gzipped budget', async () => {
    const { minifiedBytes, gzipBytes } = await measurePageSize();
    expect(minifiedBytes).toBeGreaterThan(gzipBytes);
    expect(gzipBytes).toBeLessThanOrEqual(PAGE_GZIP_BUDGET_BYTES);
  }, 60_000);
});
