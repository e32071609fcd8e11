import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { openPostgresStores } from '@plinth/host-postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './test-database.js';

const WRITER = fileURLToPath(new URL('./__fixtures__/writer.mjs', import.meta.url));
let database: TestDatabase | undefined;

afterAll(async () => {
  await database?.drop();
});

/** A writer process; resolves once it has printed `lines` lines, with what it printed so far. */
function startWriter(url: string, mode: 'sequence' | 'contend', id: number) {
  const child: ChildProcess = spawn(process.execPath, [WRITER, url, mode, String(id)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let buffered = '';
  const waiters: { count: number; resolve: () => void }[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    for (const waiter of waiters.splice(0)) {
      if (lines.length >= waiter.count) waiter.resolve();
      else waiters.push(waiter);
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    lines,
    until: (count: number) =>
      new Promise<void>((resolve, reject) => {
        if (lines.length >= count) return resolve();
        waiters.push({ count, resolve });
        child.once(
          'exit',
          () => lines.length < count && reject(new Error(`writer exited after ${lines.length} lines`)),
        );
      }),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('hosts on a real PostgreSQL server, killed mid-write', () => {
  it(
    'loses no acknowledged value when a host is killed with SIGKILL during writes',
    { timeout: 60_000 },
    async () => {
      database ??= await createTestDatabase('crash');
      const writer = startWriter(database.url, 'sequence', 1);
      await writer.until(200);
      await writer.kill();
      const acked = writer.lines
        .filter((line) => line.startsWith('ack '))
        .map((line) => Number(line.slice(4)));
      expect(acked.length).toBeGreaterThanOrEqual(200);
      const stores = await openPostgresStores({ database: database.pool, secretKey: new Uint8Array(32) });
      const lost: string[] = [];
      for (const i of acked) {
        const value = await stores.storage.get('acme.crash', `k${i}`);
        const body = value?.subarray(0, value.length - 32);
        const intact =
          value !== undefined &&
          body !== undefined &&
          Buffer.from(value.subarray(value.length - 32)).equals(createHash('sha256').update(body).digest());
        if (!intact) lost.push(`k${i}`);
      }
      expect(lost).toEqual([]);
    },
  );

  it(
    'ends concurrent writers of one key from two hosts in one whole written value, never a mix',
    { timeout: 60_000 },
    async () => {
      database ??= await createTestDatabase('crash');
      const a = startWriter(database.url, 'contend', 1);
      const b = startWriter(database.url, 'contend', 2);
      await Promise.all([a.until(50), b.until(50)]);
      await Promise.all([a.kill(), b.kill()]);
      const stores = await openPostgresStores({ database: database.pool, secretKey: new Uint8Array(32) });
      const value = await stores.storage.get('acme.contend', 'shared');
      expect(value?.length).toBe(256 * 1024);
      const first = value?.[0];
      expect([1, 2]).toContain(first);
      expect(value?.every((byte) => byte === first)).toBe(true);
    },
  );
});
