import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BUILT_STORAGE,
  lostWrites,
  runWriterAndKill,
  storedRows,
  tornValues,
} from './__fixtures__/crash-run.js';
import { openSqliteStores } from './index.js';

const MAX_WRITES = 5_000;
const KILL_AFTER_ACKS = 60;

describe('SQLite storage survives SIGKILL', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-crash-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged write intact, and no value is torn', { timeout: 60_000 }, async () => {
    expect(existsSync(BUILT_STORAGE), `build @plinth/host-node first (${BUILT_STORAGE})`).toBe(true);
    const path = join(dir, 'storage.db');
    const { acked, signal, finished } = await runWriterAndKill({
      path,
      maxWrites: MAX_WRITES,
      killAfterAcks: KILL_AFTER_ACKS,
    });
    expect(signal).toBe('SIGKILL');
    expect(finished).toBe(false);
    expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(acked).toEqual(acked.map((_, index) => index));

    const stores = openSqliteStores({ path });
    try {
      expect(lostWrites(stores, acked)).toEqual([]);
      // Writes after the last ack may or may not have landed, but none may be half there.
      expect(tornValues(stores)).toEqual([]);
      expect(storedRows(stores)).toBeGreaterThanOrEqual(acked.length);
      expect(stores.database.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      stores.close();
    }
  });
});
