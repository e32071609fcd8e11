// 20 plugins under 64 concurrent callers, on both lanes of a Node host: every response must echo the nonce
// of its own call. A response carrying another call's nonce is crossed; one carrying none is lost; a
// rejection or a `success: false` is failed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeHost } from '@plinth/host-node';
import { afterEach, describe, expect, it } from 'vitest';
import { echoPlugins, startNodeHost } from './__fixtures__/guests.js';
import { printFigureLast, size } from './__fixtures__/reliability.js';

const PLUGINS = 20;
const CONCURRENCY = 64;
const CALLS_PER_LANE = size({ short: 5_000, long: 50_000 });

interface Tally {
  calls: number;
  ok: number;
  crossed: number;
  lost: number;
  failed: number;
}
const tallies: Record<'isolated' | 'in-thread', Tally> = {
  isolated: { calls: 0, ok: 0, crossed: 0, lost: 0, failed: 0 },
  'in-thread': { calls: 0, ok: 0, crossed: 0, lost: 0, failed: 0 },
};
const total = (key: keyof Tally) => tallies.isolated[key] + tallies['in-thread'][key];
printFigureLast('load', () => ({
  plugins: PLUGINS,
  concurrency: CONCURRENCY,
  calls: total('calls'),
  isolated: tallies.isolated.calls,
  'in-thread': tallies['in-thread'].calls,
  crossed: total('crossed'),
  lost: total('lost'),
  failed: total('failed'),
}));

/** Runs `calls` echo calls spread over every plugin, `CONCURRENCY` at a time, and tallies the answers. */
async function hammer(
  host: NodeHost,
  ids: readonly string[],
  calls: number,
  tally: Tally,
): Promise<string[]> {
  const sent = new Set<string>();
  const problems: string[] = [];
  let next = 0;
  const caller = async (worker: number) => {
    for (let call = next++; call < calls; call = next++) {
      const id = ids[(call * 7 + worker) % ids.length]!;
      const nonce = `${id}/${worker}/${call}/${Math.random().toString(36).slice(2)}`;
      // Payloads of varying size, so some calls cross a buffer boundary that others do not.
      const params = { nonce, pad: 'x'.repeat((call * 131) % 3000) };
      sent.add(nonce);
      tally.calls += 1;
      try {
        const response = await host.command(id, 'echo', params);
        const echoed = (response.data as { nonce?: unknown } | undefined)?.nonce;
        if (!response.success) {
          tally.failed += 1;
          problems.push(`${nonce}: ${response.error ?? 'success false'}`);
        } else if (echoed === nonce && JSON.stringify(response.data) === JSON.stringify(params)) {
          tally.ok += 1;
        } else if (typeof echoed === 'string' && sent.has(echoed)) {
          tally.crossed += 1;
          problems.push(`${nonce}: crossed with ${echoed}`);
        } else {
          tally.lost += 1;
          problems.push(`${nonce}: answered ${JSON.stringify(response).slice(0, 200)}`);
        }
      } catch (error) {
        tally.failed += 1;
        problems.push(`${nonce}: ${String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, worker) => caller(worker)));
  return problems;
}

describe.each(['isolated', 'in-thread'] as const)('a Node host on the %s lane under load', (lane) => {
  let base: string | undefined;
  let host: NodeHost | undefined;
  afterEach(async () => {
    await host?.close();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it(`answers ${CALLS_PER_LANE} calls to ${PLUGINS} plugins, ${CONCURRENCY} at a time, each with its own nonce`, async () => {
    base = mkdtempSync(join(tmpdir(), 'plinth-load-'));
    const plugins = echoPlugins(PLUGINS);
    // 20 workers on two cores, 64 calls at once: a call may wait seconds for a core. The suite checks
    // that no call is lost or crossed, so the timeout only has to catch a hang, not a slow turn.
    host = await startNodeHost(base, lane, plugins, { timeoutMs: 30_000 });
    const tally = tallies[lane];
    const problems = await hammer(
      host,
      plugins.map((plugin) => plugin.id),
      CALLS_PER_LANE,
      tally,
    );
    expect(problems.slice(0, 10)).toEqual([]);
    expect(tally).toEqual({ calls: CALLS_PER_LANE, ok: CALLS_PER_LANE, crossed: 0, lost: 0, failed: 0 });
  });
});
