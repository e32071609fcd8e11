import { guestPath } from '@plinth/guests';
import { uncovered } from '@plinth/host-kit';
import { HOST_FUNCTIONS } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { createPluginHarness } from './plugin-harness.js';

describe('createPluginHarness: coverage', () => {
  it('serves every catalogue function but the unsupported ones, capability by capability', async () => {
    const harness = await createPluginHarness({ wasm: guestPath('wat-protocol') });
    try {
      const rows = harness.coverage();
      expect(uncovered(rows)).toEqual([]);
      // The functions no Plinth host implements answer "not available": none is served.
      expect(rows.find((row) => row.capability === 'unsupported')?.served).toEqual([]);
      expect(rows.flatMap((row) => row.served)).toHaveLength(
        HOST_FUNCTIONS.filter((spec) => spec.capability !== 'unsupported').length,
      );
    } finally {
      await harness.close();
    }
  });

  it('counts hostFunctions the app adds, even one the twins leave out', async () => {
    const harness = await createPluginHarness({
      wasm: guestPath('wat-protocol'),
      hostFunctions: { host_proxy_request: () => ({ failure: 'no proxy here' }) },
    });
    try {
      const unsupported = harness.coverage().find((row) => row.capability === 'unsupported');
      expect(unsupported?.served).toEqual(['host_proxy_request']);
    } finally {
      await harness.close();
    }
  });
});
