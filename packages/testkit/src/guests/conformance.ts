import { checkConformanceTable, loadConformanceTable, type ConformanceResult } from '@plinth/guests';
import { createDirectPlugin } from './direct-host.js';

export {
  loadConformanceTable,
  type ConformanceResult,
  type ConformanceRow,
  type ConformanceTable,
} from '@plinth/guests';

/**
 * Runs the shared conformance table against one guest, called directly through @extism/extism: checks
 * the manifest declares the table's commands and capability, then each row's response and host calls.
 */
export async function runConformanceTable(wasm: Uint8Array): Promise<ConformanceResult[]> {
  const { plugin, calls } = await createDirectPlugin(wasm, { answers: loadConformanceTable().host });
  try {
    return await checkConformanceTable({
      call: async (exportName, input) => (await plugin.call(exportName, input))?.text() ?? null,
      hostCalls: calls,
    });
  } finally {
    await plugin.close();
  }
}
