/**
 * Plugin storage get and set, SQLite vs PGlite vs a real PostgreSQL server, in one run: through the stores
 * directly, and through `createStorageBundle` + `serveBundleCall` (what a guest's host call costs before the
 * lane). Sides alternate in rotating blocks (bench/alternating-latency.ts); one caller, one call at a time.
 *  - SQLite: `openSqliteStores` on a file (WAL, synchronous FULL: one fsync per write);
 *  - PGlite: in memory (nothing reaches a disk), in this process;
 *  - PostgreSQL: a throwaway server (scripts/postgres-server.mjs) with its durable defaults (fsync and
 *    synchronous commit on), reached over 127.0.0.1 through a `pg` Pool.
 * Values are 256 bytes over 1 000 keys of one plugin; gets read keys written before the run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openSqliteStores } from '@plinth/host-node/storage';
import { createAllowAllChecker } from '@plinth/permissions';
import { createStorageBundle, serveBundleCall, type KeyValueStore } from '@plinth/runtime';
import pg from 'pg';
import { startPostgresServer } from '../../../scripts/postgres-server.mjs';
import { openPostgresStores } from '../dist/index.js';
import { compareLatency, type LatencyResult, type LatencySide } from './alternating-latency.js';

const KEYS = 1_000;
const VALUE = randomBytes(256);
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
  const data = VALUE.toString('base64');
  const gets: LatencySide[] = [];
  const sets: LatencySide[] = [];
  for (const [name, store] of stores) {
    gets.push({ name: `${name}, store`, call: (i) => store.get(PLUGIN, keyOf(i)) });
    sets.push({ name: `${name}, store`, call: (i) => store.set(PLUGIN, keyOf(i), VALUE) });
  }
  for (const [name, store] of stores) {
    const bundle = createStorageBundle({ store, permissions });
    const get = (i: number) => JSON.stringify({ key: keyOf(i) });
    const set = (i: number) => JSON.stringify({ key: keyOf(i), data });
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
  report('host_storage_get', await compareLatency({ sides: gets, ...blocks }));
  report('host_storage_set', await compareLatency({ sides: sets, ...blocks }));
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
        : `${(baseline.callsPerSecond / result.callsPerSecond).toFixed(2)}× the time`;
    console.log(
      `${operation}, ${result.name}: ${Math.round(result.callsPerSecond)} calls/s, ` +
        `p50 ${result.p50Us.toFixed(1)} µs, p99 ${result.p99Us.toFixed(1)} µs (${ratio}, block median ${result.medianRatio.toFixed(2)}×)`,
    );
  }
}
