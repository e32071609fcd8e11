import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { GUESTS_DIR } from './catalogue.js';
import { createDirectPlugin } from './direct-host.js';

/**
 * One row of the conformance table: a command request, the response it must get, and the host calls it must
 * make.
 */
export interface ConformanceRow {
  name: string;
  request: { command: string; params: unknown };
  response: unknown;
  /** Host calls the guest must make, in order; a call without `input` matches any input. */
  hostCalls: { function: string; input?: unknown }[];
}

/**
 * The shared conformance table every golden guest answers (`guests/conformance.json`): the host answers to
 * give, what the manifest must declare, and the rows.
 */
export interface ConformanceTable {
  description: string;
  host: Record<string, string>;
  manifest: { capabilities: string[]; commands: string[] };
  rows: ConformanceRow[];
}

/** How one row (or the manifest check) went for one guest. */
export interface ConformanceResult {
  row: string;
  ok: boolean;
  /** What differed, in words; empty when ok. */
  problems: string[];
}

/** Reads the conformance table shipped with the testkit. */
export function loadConformanceTable(): ConformanceTable {
  return JSON.parse(readFileSync(`${GUESTS_DIR}conformance.json`, 'utf8')) as ConformanceTable;
}

const parseOrText = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

/**
 * Runs the shared conformance table against one guest, called directly through @extism/extism: checks
 * the manifest declares the table's commands and capability, then each row's response and host calls.
 */
export async function runConformanceTable(wasm: Uint8Array): Promise<ConformanceResult[]> {
  const table = loadConformanceTable();
  const { plugin, calls } = await createDirectPlugin(wasm, { answers: table.host });
  const results: ConformanceResult[] = [];
  try {
    const manifestProblems: string[] = [];
    const manifest = parseOrText((await plugin.call('manifest', ''))?.text() ?? '') as Record<
      string,
      unknown
    >;
    for (const capability of table.manifest.capabilities) {
      if (!(manifest['capabilities'] as unknown[] | undefined)?.includes(capability)) {
        manifestProblems.push(`manifest does not declare capability ${capability}`);
      }
    }
    for (const command of table.manifest.commands) {
      if (!(manifest['commands'] as unknown[] | undefined)?.includes(command)) {
        manifestProblems.push(`manifest does not list command ${command}`);
      }
    }
    results.push({
      row: 'manifest lists the conformance commands',
      ok: manifestProblems.length === 0,
      problems: manifestProblems,
    });

    for (const row of table.rows) {
      calls.length = 0;
      const problems: string[] = [];
      let output: unknown;
      try {
        output = parseOrText(
          (await plugin.call('handle_command', JSON.stringify(row.request)))?.text() ?? '',
        );
      } catch (error) {
        problems.push(`handle_command failed: ${(error as Error).message}`);
      }
      if (problems.length === 0 && !isDeepStrictEqual(output, row.response)) {
        problems.push(`response ${JSON.stringify(output)} ≠ expected ${JSON.stringify(row.response)}`);
      }
      const made = calls.map((call) => ({ function: call.function, input: parseOrText(call.input) }));
      const matches =
        made.length === row.hostCalls.length &&
        row.hostCalls.every((want, i) => {
          const got = made[i];
          return (
            got?.function === want.function &&
            (!('input' in want) || isDeepStrictEqual(got.input, want.input))
          );
        });
      if (!matches)
        problems.push(`host calls ${JSON.stringify(made)} ≠ expected ${JSON.stringify(row.hostCalls)}`);
      results.push({ row: row.name, ok: problems.length === 0, problems });
    }
  } finally {
    await plugin.close();
  }
  return results;
}
