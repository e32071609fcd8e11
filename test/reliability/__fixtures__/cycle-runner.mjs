// Child process of cycles.reliability.test.ts: load/call/unload cycles of the golden C guest through a
// PluginRegistry on one lane, and the process's RSS before and after them (after a full GC), as one JSON line.
//   node --expose-gc cycle-runner.mjs <in-thread|isolated> <cycles> <warm-up cycles>
// Plain JavaScript against the built packages, so no loader hook runs in the process or its workers.
import { setTimeout as sleep } from 'node:timers/promises';
import { openProtocolPluginFrom, PluginRegistry } from '@plinth/runtime';
import { createIsolatedLane } from '@plinth/runtime/node';
import { guestBytes } from '@plinth/testkit';

const [lane, cycles, warmUp] = process.argv.slice(2);
const gc = globalThis.gc;
if (typeof gc !== 'function') throw new Error('run with --expose-gc');
const bytes = guestBytes('c-protocol');
const ID = 'plinth-golden.c';
const registry = new PluginRegistry();
const open = () =>
  openProtocolPluginFrom({
    source: { bytes },
    hostAppVersion: '1.0.0',
    ...(lane === 'isolated' ? { lane: createIsolatedLane } : {}),
  });

let failed = 0;
async function cycle(n) {
  await registry.load(ID, open);
  const response = await registry.command(ID, 'echo', { cycle: n });
  if (!response.success || response.data?.cycle !== n) failed += 1;
  await registry.unload(ID);
}

/** RSS after full collections with event-loop turns between, so finalizers have run and workers are gone. */
async function settledRss() {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(20);
  }
  return process.memoryUsage().rss;
}

for (let n = 0; n < Number(warmUp); n++) await cycle(-1 - n);
const before = await settledRss();
let peak = before;
for (let n = 0; n < Number(cycles); n++) {
  await cycle(n);
  if (n % 50 === 49) peak = Math.max(peak, process.memoryUsage().rss);
}
const after = await settledRss();
await registry.close();
console.log(JSON.stringify({ lane, cycles: Number(cycles), failed, before, after, peak }));
