// Hot reload under continuous calls, on both lanes of a Node host: before each reload the plugin's module is
// replaced by one with another manifest version, so every reload really swaps instances (the version the
// host reports proves it), while callers keep calling. No call may fail or answer wrongly.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeHost } from '@plinth/host-node';
import { afterEach, describe, expect, it } from 'vitest';
import { guestBytes } from '@plinth/testkit';
import { patchGuest, startNodeHost } from './__fixtures__/guests.js';
import { printFigureLast, size } from './__fixtures__/reliability.js';

// An isolated reload starts a worker and compiles the module: a few hundred ms on two busy cores.
const RELOADS = { isolated: size({ short: 20, long: 500 }), 'in-thread': size({ short: 50, long: 500 }) };
const CALLERS = 8;
const ID = 'plinth-golden.c';
const golden = guestBytes('c-protocol');
const withVersion = (version: string) => patchGuest(golden, '"version":"1.0.0"', `"version":"${version}"`);

const tally = { reloads: 0, underCalls: 0, calls: 0, failed: 0 };
printFigureLast('hot-reload', () => ({
  reloads: tally.reloads,
  isolated: RELOADS.isolated,
  'in-thread': RELOADS['in-thread'],
  'under-calls': tally.underCalls,
  calls: tally.calls,
  failed: tally.failed,
}));

describe.each(['isolated', 'in-thread'] as const)('hot reload on the %s lane', (lane) => {
  let base: string | undefined;
  let host: NodeHost | undefined;
  afterEach(async () => {
    await host?.close();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it(`serves every call through ${RELOADS[lane]} reloads`, async () => {
    base = mkdtempSync(join(tmpdir(), 'plinth-reload-'));
    host = await startNodeHost(base, lane, [{ id: ID, bytes: withVersion('1.0.0') }]);
    const node = host;
    const problems: string[] = [];
    let reloading = true;
    let calls = 0;
    const caller = async (worker: number) => {
      for (let call = 0; reloading; call++) {
        const params = { worker, call };
        calls += 1;
        try {
          const response = await node.command(ID, 'echo', params);
          if (!response.success || JSON.stringify(response.data) !== JSON.stringify(params)) {
            problems.push(`${worker}/${call}: ${JSON.stringify(response).slice(0, 200)}`);
          }
        } catch (error) {
          problems.push(`${worker}/${call}: ${String(error)}`);
        }
        // An in-thread call can settle without leaving the microtask queue: yield, or the reload (which
        // reads a file) would never get its turn.
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const callers = Array.from({ length: CALLERS }, (_, worker) => caller(worker));
    const versions: string[] = [];
    try {
      for (let reload = 1; reload <= RELOADS[lane]; reload++) {
        const version = `1.0.${reload % 10}`;
        writeFileSync(join(base, 'plugins', ID, 'plugin.wasm'), withVersion(version));
        const before = calls;
        const info = await node.reload(ID);
        if (calls > before) tally.underCalls += 1;
        versions.push(
          `${info.version}/${info.state}` === `${version}/active` ? 'ok' : `${reload}: ${info.version}`,
        );
        tally.reloads += 1;
      }
    } finally {
      reloading = false;
      await Promise.all(callers);
      tally.calls += calls;
      tally.failed += problems.length;
    }
    expect(versions.filter((entry) => entry !== 'ok')).toEqual([]);
    expect(problems.slice(0, 10)).toEqual([]);
    // Calls kept flowing during every reload, not only between them.
    expect(tally.underCalls).toBe(tally.reloads);
  });
});
