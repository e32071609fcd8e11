/**
 * How long an install on one host takes to serve on another sharing the database: two watching Node hosts
 * in this process on one PostgreSQL (a throwaway real server), the plugin set shared with sharePluginSet;
 * timed from `install` on A resolving to the plugin being active on B (the watcher's 250 ms debounce
 * included), and the same for an uninstall. Median of 7 rounds.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeHost, type NodeHost } from '@plinth/host-node';
import pg from 'pg';
import { startPostgresServer } from '../../../scripts/postgres-server.mjs';
import { shareHostChanges, sharePluginSet, type SharedPluginSet } from '../dist/index.js';

const ROUNDS = 7;
const C_GUEST = readFileSync(new URL('../../guests/corpus/golden/c-protocol/plugin.wasm', import.meta.url));
const server = await startPostgresServer({ durable: true });
const pool = new pg.Pool({ connectionString: server.url, max: 4 });
const base = mkdtempSync(join(tmpdir(), 'plinth-propagation-'));
const opened: { host: NodeHost; shared: SharedPluginSet }[] = [];

async function host(name: string) {
  const root = join(base, name);
  mkdirSync(join(root, 'workspace'), { recursive: true });
  mkdirSync(join(root, 'plugins'), { recursive: true });
  const policyFile = join(root, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ plugins: {} }));
  const node = await createNodeHost({
    workspaceRoot: join(root, 'workspace'),
    pluginsRoot: join(root, 'plugins'),
    policy: { file: policyFile },
    hostAppVersion: '1.0.0',
    watch: true,
  });
  await node.start();
  const shared = await sharePluginSet({ database: pool, pluginsRoot: join(root, 'plugins'), policyFile });
  opened.push({ host: node, shared });
  return shareHostChanges(node, shared);
}

async function until(check: () => boolean): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > 10_000) throw new Error('no propagation within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - started;
}

try {
  const a = await host('a');
  const b = await host('b');
  const installs: number[] = [];
  const uninstalls: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await a.install({ bytes: C_GUEST });
    installs.push(await until(() => b.plugin('plinth-golden.c')?.state === 'active'));
    await a.uninstall('plinth-golden.c');
    uninstalls.push(await until(() => b.plugin('plinth-golden.c') === undefined));
  }
  const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  console.log(
    `hot reload across two hosts on PostgreSQL (median of ${ROUNDS}): install ${median(installs).toFixed(0)} ms, ` +
      `uninstall ${median(uninstalls).toFixed(0)} ms (the watcher debounces 250 ms of that)`,
  );
} finally {
  for (const { host: node, shared } of opened) {
    await shared.close();
    await node.close();
  }
  await pool.end();
  await server.stop();
  rmSync(base, { recursive: true, force: true });
}
