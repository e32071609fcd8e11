// SIGKILL during storage writes: a writer process started on a SQLite database again and again and killed at
// a different point each time (after 1 to 16 acknowledged writes, 0 to 3 ms later). After every kill the
// database is reopened, as a restarted host would, and checked; at the end, all of it. Two databases, each
// with its own writer, run side by side: starting Node is most of each round, and there are two cores.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStores } from '@plinth/host-node/storage';
import { afterAll, expect, it } from 'vitest';
import {
  BUILT_STORAGE,
  lostWrites,
  runWriterAndKill,
  storedRows,
  tornValues,
} from '../../packages/host-node/src/storage/__fixtures__/crash-run.js';
import { printFigureLast, size } from './__fixtures__/reliability.js';

const KILLS = size({ short: 30, long: 300 });
const DATABASES = 2;
/** Write numbers of round r start at r × ROUND_SPAN, so no two rounds write the same key. */
const ROUND_SPAN = 10_000;

const tally = { kills: 0, acknowledged: 0 };
/** Keys found lost or torn after any kill, or at the end. */
const lost = new Set<string>();
const torn = new Set<string>();
const problems: string[] = [];
printFigureLast('storage-sigkill', () => ({ ...tally, lost: lost.size, torn: torn.size }));

const dir = mkdtempSync(join(tmpdir(), 'plinth-sigkill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs every DATABASES-th round from `first` on one database, checking it after each kill. */
async function killRounds(path: string, first: number): Promise<void> {
  const acked: number[] = [];
  for (let round = first; round < KILLS; round += DATABASES) {
    const start = round * ROUND_SPAN;
    const run = await runWriterAndKill({
      path,
      start,
      maxWrites: ROUND_SPAN,
      killAfterAcks: 1 + ((round * 7) % 16),
      killDelayMs: round % 4,
    });
    if (run.signal !== 'SIGKILL' || run.finished) problems.push(`round ${round}: the writer was not killed`);
    else tally.kills += 1;
    acked.push(...run.acked);
    tally.acknowledged += run.acked.length;

    const stores = openSqliteStores({ path });
    try {
      for (const key of lostWrites(stores, run.acked)) lost.add(`${path}:${key}`);
      // The write in flight at the kill may or may not have landed, but never half.
      for (const key of tornValues(stores, [...run.acked, start + run.acked.length]))
        torn.add(`${path}:${key}`);
      const integrity = stores.database.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') problems.push(`round ${round}: integrity_check ${String(integrity)}`);
    } finally {
      stores.close();
    }
  }

  // Later kills must not have damaged earlier rounds' writes either.
  const stores = openSqliteStores({ path });
  try {
    for (const key of lostWrites(stores, acked)) lost.add(`${path}:${key}`);
    for (const key of tornValues(stores)) torn.add(`${path}:${key}`);
    const rows = storedRows(stores);
    if (rows < acked.length) problems.push(`${path}: ${rows} rows for ${acked.length} acknowledged writes`);
  } finally {
    stores.close();
  }
}

it(`loses no acknowledged write and tears no value over ${KILLS} kills`, async () => {
  expect(existsSync(BUILT_STORAGE), `build @plinth/host-node first (${BUILT_STORAGE})`).toBe(true);
  await Promise.all(
    Array.from({ length: DATABASES }, (_, first) => killRounds(join(dir, `storage-${first}.db`), first)),
  );
  expect(problems).toEqual([]);
  expect([...lost, ...torn]).toEqual([]);
  expect(tally.kills).toBe(KILLS);
  expect(tally.acknowledged).toBeGreaterThanOrEqual(KILLS);
});
