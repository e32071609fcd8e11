// Runs crash-writer.mjs and SIGKILLs it mid-loop, then checks the database it left behind. Shared by
// crash.integration.test.ts and the repository's reliability suite (test/reliability).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { SqliteStores } from '../index.js';

export const CRASH_WRITER = fileURLToPath(new URL('./crash-writer.mjs', import.meta.url));
/** The writer imports the built package: build @plinth/host-node first. */
export const BUILT_STORAGE = fileURLToPath(new URL('../../../dist/storage/index.js', import.meta.url));
/** The plugin id the writer stores under; write `i` is key `k<i>`. */
export const CRASH_PLUGIN = 'crash.test';

export interface WriterRunOptions {
  path: string;
  /** The writer's first write number. Default 0. */
  start?: number;
  /** The writer stops (prints `done`) after this many writes if not killed first. */
  maxWrites: number;
  /** Kill once this many writes are acknowledged... */
  killAfterAcks: number;
  /** ...and this many ms later (0: at once), so the kill lands at any point of a later write. */
  killDelayMs?: number;
}

export interface WriterRun {
  /** The write numbers the writer acknowledged (`ack <i>`), in order. */
  acked: number[];
  signal: NodeJS.Signals | null;
  /** The writer printed `done`: it ended before the kill. */
  finished: boolean;
}

/** Runs the writer until it has acknowledged `killAfterAcks` writes, then SIGKILLs it. */
export function runWriterAndKill(options: WriterRunOptions): Promise<WriterRun> {
  const { path, start = 0, maxWrites, killAfterAcks, killDelayMs = 0 } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CRASH_WRITER, path, String(maxWrites), String(start)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: number[] = [];
    let buffered = '';
    let stderr = '';
    let finished = false;
    let killing = false;
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'done') finished = true;
        const match = /^ack (\d+)$/.exec(line);
        if (match) acked.push(Number(match[1]));
      }
      if (acked.length >= killAfterAcks && !killing) {
        killing = true;
        if (killDelayMs === 0) child.kill('SIGKILL');
        else setTimeout(() => child.kill('SIGKILL'), killDelayMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`writer exited with ${code}: ${stderr}`));
      else resolve({ acked, signal, finished });
    });
  });
}

/** A writer value ends with the sha256 of the rest: a value cut short or mixed with another fails this. */
export const intact = (value: Uint8Array): boolean => {
  if (value.length < 32) return false;
  const digest = createHash('sha256')
    .update(value.subarray(0, value.length - 32))
    .digest();
  return Buffer.from(value.subarray(value.length - 32)).equals(digest);
};

/** Acknowledged writes that are missing, damaged, or whose secret does not match the value. */
export function lostWrites(stores: SqliteStores, acked: Iterable<number>): string[] {
  const lost: string[] = [];
  for (const i of acked) {
    const value = stores.storage.get(CRASH_PLUGIN, `k${i}`);
    if (value === undefined || !intact(value)) {
      lost.push(`k${i}: ${value === undefined ? 'missing' : 'damaged'}`);
      continue;
    }
    const digest = Buffer.from(value.subarray(-32)).toString('hex');
    if (stores.secrets.get(CRASH_PLUGIN, `k${i}`) !== digest) lost.push(`k${i}: secret missing or wrong`);
  }
  return lost;
}

/** Stored values, acknowledged or not, that are not whole: of write numbers `only`, or of every row. */
export function tornValues(stores: SqliteStores, only?: Iterable<number>): string[] {
  const values =
    only === undefined
      ? (stores.database.prepare('SELECT key, value FROM kv').all() as { key: string; value: Uint8Array }[])
      : [...only].map((i) => ({ key: `k${i}`, value: stores.storage.get(CRASH_PLUGIN, `k${i}`) }));
  return values.filter(({ value }) => value !== undefined && !intact(value)).map(({ key }) => key);
}

/** Rows in the key-value table. */
export const storedRows = (stores: SqliteStores): number =>
  (stores.database.prepare('SELECT count(*) AS n FROM kv').get() as { n: number }).n;
