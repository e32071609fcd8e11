import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  checkConformanceTable,
  loadConformanceTable,
  type ConformanceHostCall,
  type ConformanceSubject,
} from './conformance-table.js';

const table = loadConformanceTable();

/** An in-memory guest that answers every row as the table says, unless told to get one wrong. */
function scriptedGuest(
  wrong: { response?: string; hostCall?: string; trap?: string; command?: string } = {},
): ConformanceSubject {
  const hostCalls: ConformanceHostCall[] = [];
  return {
    hostCalls,
    async call(exportName, input) {
      if (exportName === 'manifest') {
        const commands = table.manifest.commands.filter((command) => command !== wrong.command);
        return JSON.stringify({ capabilities: table.manifest.capabilities, commands });
      }
      const request = JSON.parse(input) as unknown;
      const row = table.rows.find((r) => isDeepStrictEqual(r.request, request));
      if (!row) throw new Error(`no row for ${input}`);
      if (row.name === wrong.trap) throw new Error('wasm trap: unreachable');
      for (const want of row.hostCalls) {
        const function_ = row.name === wrong.hostCall ? 'host_other' : want.function;
        hostCalls.push({ function: function_, input: JSON.stringify(want.input ?? null) });
      }
      return JSON.stringify(row.name === wrong.response ? { success: true, data: 'wrong' } : row.response);
    },
  };
}

const failed = async (subject: ConformanceSubject) =>
  (await checkConformanceTable(subject)).filter((result) => !result.ok);

describe('checkConformanceTable', () => {
  it('passes a guest that answers every row and makes exactly the host calls', async () => {
    const results = await checkConformanceTable(scriptedGuest());
    expect(results).toHaveLength(table.rows.length + 1);
    expect(results.filter((result) => !result.ok)).toEqual([]);
  });

  it('names the row and what differed: response, host calls, a trap, a missing command', async () => {
    const greet = table.rows.find((row) => row.hostCalls.length > 0)?.name ?? '';
    const ping = table.rows[0]?.name ?? '';
    expect(await failed(scriptedGuest({ response: ping }))).toEqual([
      {
        row: ping,
        ok: false,
        problems: [expect.stringMatching(/^response \{"success":true,"data":"wrong"\} ≠ expected/)],
      },
    ]);
    expect(await failed(scriptedGuest({ hostCall: greet }))).toEqual([
      { row: greet, ok: false, problems: [expect.stringMatching(/^host calls \[\{"function":"host_other"/)] },
    ]);
    expect(await failed(scriptedGuest({ trap: ping }))).toEqual([
      { row: ping, ok: false, problems: ['handle_command failed: wasm trap: unreachable'] },
    ]);
    expect(await failed(scriptedGuest({ command: 'time' }))).toEqual([
      {
        row: 'manifest lists the conformance commands',
        ok: false,
        problems: ['manifest does not list command time'],
      },
    ]);
  });

  it('refuses something that is not a subject', async () => {
    await expect(checkConformanceTable({ call: async () => null } as never)).rejects.toMatchObject({
      code: 'invalid_options',
      message: expect.stringContaining('checkConformanceTable: option `subject`'),
    });
  });
});
