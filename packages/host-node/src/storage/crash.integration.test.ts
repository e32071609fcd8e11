import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStores } from './index.js';

const WRITER = fileURLToPath(new URL('./__fixtures__/crash-writer.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../dist/storage/index.js', import.meta.url));
const MAX_WRITES = 5_000;
const KILL_AFTER_ACKS = 60;

/** Runs the writer until it has acknowledged `KILL_AFTER_ACKS` writes, then SIGKILLs it mid-loop. */
function runAndKill(
  path: string,
): Promise<{ acked: number[]; signal: NodeJS.Signals | null; finished: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, path, String(MAX_WRITES)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: number[] = [];
    let buffered = '';
    let stderr = '';
    let finished = false;
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
      if (acked.length >= KILL_AFTER_ACKS) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`writer exited with ${code}: ${stderr}`));
      else resolve({ acked, signal, finished });
    });
  });
}

const intact = (value: Uint8Array): boolean => {
  const body = value.subarray(0, value.length - 32);
  const digest = createHash('sha256').update(body).digest();
  return Buffer.from(value.subarray(value.length - 32)).equals(digest);
};

describe('SQLite storage survives SIGKILL', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-crash-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged write intact, and no value is torn', { timeout: 60_000 }, async () => {
    expect(existsSync(BUILT), `build @plinth/host-node first (${BUILT})`).toBe(true);
    const path = join(dir, 'storage.db');
    const { acked, signal, finished } = await runAndKill(path);
    expect(signal).toBe('SIGKILL');
    expect(finished).toBe(false);
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(acked).toEqual(acked.map((_, index) => index));

    const stores = openSqliteStores({ path });
    try {
      for (const i of acked) {
        const value = stores.storage.get('crash.test', `k${i}`);
        expect(value, `k${i}`).toBeDefined();
        expect(intact(value ?? new Uint8Array(32)), `k${i} intact`).toBe(true);
        const digest = Buffer.from((value ?? new Uint8Array(32)).subarray(-32)).toString('hex');
        expect(stores.secrets.get('crash.test', `k${i}`), `secret k${i}`).toBe(digest);
      }
      // Writes after the last ack may or may not have landed, but none may be half there.
      const rows = stores.database.prepare('SELECT key, value FROM kv').all() as {
        key: string;
        value: Buffer;
      }[];
      expect(rows.length).toBeGreaterThanOrEqual(acked.length);
      expect(rows.filter((row) => !intact(row.value)).map((row) => row.key)).toEqual([]);
      expect(stores.database.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      stores.close();
    }
  });
});
