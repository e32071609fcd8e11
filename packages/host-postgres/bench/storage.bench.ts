/**
 * Plugin storage get and set, SQLite vs PGlite vs a real PostgreSQL server, in one run: through the stores
 * directly, and through `createStorageBundle` + `serveBundleCall` (what a guest's host call costs before the
 * lane). Sides alternate in rotating blocks (bench/alternating-latency.ts): one caller waiting for each
 * answer, then (stores only) 8 callers at once.
 *  - SQLite: `openSqliteStores` on a file (WAL, synchronous FULL: one fsync per write);
 *  - PGlite: in memory (nothing reaches a disk), in this process;
 *  - PostgreSQL: a throwaway server (scripts/postgres-server.mjs) with its durable defaults (fsync and
 *    synchronous commit on), reached over 127.0.0.1 through a `pg` Pool.
 * Values are 256 bytes over 1 000 keys of one plugin; gets read keys written before the run, and each set
 * writes a value unlike the key's last one.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openSqliteStores } from '@plinth/host-node/storage';
import { createAllowAllChecker } from '@plinth/permissions';
import { createStorageBundle, serveBundleCall, type KeyValueStore } from '@plinth/host-kit';
import pg from 'pg';
import { startPostgresServer } from '../../../scripts/postgres-server.mjs';
import { openPostgresStores } from '../dist/index.js';
import { compareLatency, type LatencyResult, type LatencySide } from './alternating-latency.js';

const KEYS = 1_000;
const VALUE = randomBytes(256);
/** A value that differs from the key's last one: SQLite skips the write (and its fsync) of an equal row. */
const valueOf = (index: number) => {
  const value = Buffer.from(VALUE);
  value.writeUInt32LE(index, 0);
  return value;
};
const PLUGIN = 'bench.storage';
const context = { pluginId: PLUGIN, exportName: 'handle_command' };
const permissions = createAllowAllChecker();
const blocks = { blocks: 110, warmupBlocks: 10, callsPerBlock: 40 };

const serverStart = performance.now();
const server = await startPostgresServer({ durable: true });
const serverMs = performance.now() - serverStart;
const dir = mkdtempSync(join(tmpdir(), 'plinth-storage-bench-'));
const sqlite = openSqliteStores({ path: join(dir, 'storage.db') });
const pglite = await PGlite.create();
const pool = new pg.Pool({ connectionString: server.url });
try {
  const secretKey = randomBytes(32);
  const stores: [string, KeyValueStore][] = [
    ['SQLite', sqlite.storage],
    ['PGlite', (await openPostgresStores({ database: pglite, secretKey })).storage],
    ['PostgreSQL', (await openPostgresStores({ database: pool, secretKey })).storage],
  ];
  for (const [, store] of stores) for (let i = 0; i < KEYS; i++) await store.set(PLUGIN, `key-${i}`, VALUE);

  const keyOf = (index: number) => `key-${index % KEYS}`;
  const storeGets: LatencySide[] = stores.map(([name, store]) => ({
    name: `${name}, store`,
    call: (i) => store.get(PLUGIN, keyOf(i)),
  }));
  const storeSets: LatencySide[] = stores.map(([name, store]) => ({
    name: `${name}, store`,
    call: (i) => store.set(PLUGIN, keyOf(i), valueOf(i)),
  }));
  const gets = [...storeGets];
  const sets = [...storeSets];
  for (const [name, store] of stores) {
    const bundle = createStorageBundle({ store, permissions });
    const get = (i: number) => JSON.stringify({ key: keyOf(i) });
    const set = (i: number) => JSON.stringify({ key: keyOf(i), data: valueOf(i).toString('base64') });
    gets.push({
      name: `${name}, bundle`,
      call: (i) => serveBundleCall(bundle, 'host_storage_get', get(i), context),
    });
    sets.push({
      name: `${name}, bundle`,
      call: (i) => serveBundleCall(bundle, 'host_storage_set', set(i), context),
    });
  }

  console.log(`${server.version}: initdb + start ${Math.round(serverMs)} ms`);
  report('get, 1 caller', await compareLatency({ sides: gets, ...blocks }));
  report('set, 1 caller', await compareLatency({ sides: sets, ...blocks }));
  report('get, 8 callers', await compareLatency({ sides: storeGets, ...blocks, inFlight: 8 }));
  report('set, 8 callers', await compareLatency({ sides: storeSets, ...blocks, inFlight: 8 }));
  const counted = (blocks.blocks - blocks.warmupBlocks) * blocks.callsPerBlock;
  console.log(
    `(${counted} counted calls per row, in ${blocks.blocks - blocks.warmupBlocks} rotating blocks)`,
  );
} finally {
  await pool.end();
  await pglite.close();
  sqlite.close();
  rmSync(dir, { recursive: true, force: true });
  await server.stop();
}

function report(operation: string, results: readonly LatencyResult[]): void {
  const baseline = results[0]!;
  for (const result of results) {
    const ratio =
      result === baseline
        ? 'baseline'
        : `${(baseline.callsPerSecond / result.callsPerSecond).toFixed(1)}× the time of ${baseline.name}, ` +
          `block median ${result.medianRatio.toFixed(1)}×`;
    console.log(
      `${operation}, ${result.name}: ${Math.round(result.callsPerSecond)} calls/s, ` +
        `p50 ${result.p50Us.toFixed(0)} µs, p99 ${result.p99Us.toFixed(0)} µs (${ratio})`,
    );
  }
}
