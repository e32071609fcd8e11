import { OptionsError } from '@plinth/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveLimits } from '../limits.js';
import { createWorkerLane, workerLane } from './worker-lane.js';

// The browser's worker lane runs in Chromium (test/browser/worker-lane.test.ts); here, what it refuses
// before any worker exists.
afterEach(() => vi.unstubAllGlobals());

const module = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));

describe('workerLane and createWorkerLane', () => {
  it('refuse bad settings with an OptionsError naming each', () => {
    expect(() => workerLane({ maxMessageBytes: 1000, workerUrl: '' })).toThrow(OptionsError);
    expect(() => workerLane({ maxMessageBytes: 1000 })).toThrow(
      'workerLane: option `maxMessageBytes` must be a whole number of bytes, at least 65536',
    );
  });

  it('refuses to start where the page may not share memory, saying which headers it needs', async () => {
    vi.stubGlobal('crossOriginIsolated', false);
    await expect(createWorkerLane({ module, bundle: {}, limits: resolveLimits() })).rejects.toMatchObject({
      code: 'load_failed',
      message: expect.stringContaining(
        'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp',
      ) as unknown,
    });
  });
});
