import { guestPath } from '@plinth/guests';
import { HOST_CAPABILITIES, HOST_FUNCTIONS } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { createPluginHarness } from './plugin-harness.js';

describe('createPluginHarness: coverage', () => {
  it('serves every catalogue function but the unsupported ones, capability by capability', async () => {
    const harness = await createPluginHarness({ wasm: guestPath('wat-protocol') });
    try {
      const rows = harness.coverage();
      expect(rows.map((row) => row.capability)).toEqual([...HOST_CAPABILITIES]);
      for (const row of rows) {
        const expected = HOST_FUNCTIONS.filter((spec) => spec.capability === row.capability).map(
          (spec) => spec.name,
        );
        if (row.capability === 'unsupported') {
          expect(row.served, row.capability).toEqual([]);
          expect(row.missing, row.capability).toEqual(expected);
        } else {
          expect(row.missing, row.capability).toEqual([]);
          expect(row.served, row.capability).toEqual(expected);
        }
      }
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
