// Load/call/unload cycles through a PluginRegistry on each lane, in a child process of their own (started
// with --expose-gc, and free of the test runner's own allocations): the RSS growth over the cycles, after a
// warm-up and a full GC at both ends, must stay within 10 MiB.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { printFigureLast, size } from './__fixtures__/reliability.js';

const RUNNER = fileURLToPath(new URL('./__fixtures__/cycle-runner.mjs', import.meta.url));
const MAX_GROWTH_MIB = 10;
// The warm-up lets the allocator and V8's heaps reach their working size before the baseline. Each isolated
// cycle is a worker thread, whose allocations land in malloc's per-thread arenas: those take some dozens of
// cycles to fill (with 10 warm-up cycles, 100 cycles grew RSS by ~8 MiB; with 40, by ~4.5 MiB).
const LANES = {
  'in-thread': { cycles: size({ short: 300, long: 1_000 }), warmUp: 100 },
  isolated: { cycles: size({ short: 20, long: 100 }), warmUp: size({ short: 20, long: 40 }) },
} as const;

interface RunnerResult {
  lane: string;
  cycles: number;
  failed: number;
  before: number;
  after: number;
  peak: number;
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const results: Partial<Record<keyof typeof LANES, RunnerResult>> = {};
printFigureLast('cycles', () => {
  const fields: Record<string, string | number> = {};
  for (const [lane, result] of Object.entries(results)) {
    fields[lane] = result.cycles;
    fields[`rss-growth-${lane}`] = `${mib(result.after - result.before)}MiB`;
  }
  fields['failed'] = Object.values(results).reduce((sum, result) => sum + result.failed, 0);
  fields['limit'] = `${MAX_GROWTH_MIB}MiB`;
  return fields;
});

it.each(Object.entries(LANES))(
  'load/call/unload cycles on the %s lane grow RSS by at most 10 MiB',
  async (lane, { cycles, warmUp }) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', RUNNER, lane, String(cycles), String(warmUp)],
      { maxBuffer: 1024 * 1024 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as RunnerResult;
    results[lane as keyof typeof LANES] = result;
    expect(result).toMatchObject({ lane, cycles, failed: 0 });
    expect(result.after - result.before).toBeLessThanOrEqual(MAX_GROWTH_MIB * 1024 * 1024);
  },
);
