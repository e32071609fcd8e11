import { PlinthError } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { WriteBehind } from './write-behind.js';

/** A write that finishes when the test says so. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { done, open, fail };
}

describe('WriteBehind', () => {
  it('runs writes one at a time, in the order they were queued', async () => {
    const queue = new WriteBehind('test store');
    const log: string[] = [];
    const first = gate();
    queue.enqueue(
      () => 'first',
      async () => {
        log.push('first started');
        await first.done;
        log.push('first done');
      },
    );
    queue.enqueue(
      () => 'second',
      async () => void log.push('second'),
    );
    await Promise.resolve();
    expect(log).toEqual(['first started']);
    first.open();
    await queue.settled();
    expect(log).toEqual(['first started', 'first done', 'second']);
  });

  it('settles only after writes queued while it waited', async () => {
    const queue = new WriteBehind('test store');
    const log: string[] = [];
    queue.enqueue(
      () => 'first',
      async () => {
        log.push('first');
        queue.enqueue(
          () => 'queued meanwhile',
          async () => void log.push('queued meanwhile'),
        );
      },
    );
    await queue.settled();
    expect(log).toEqual(['first', 'queued meanwhile']);
  });

  it('keeps the first failure: settled rejects, later writes are skipped, writes and reads are refused', async () => {
    const heard: PlinthError[] = [];
    const queue = new WriteBehind('IndexedDB stores "x"', (error) => heard.push(error));
    const skipped: string[] = [];
    queue.enqueue(
      () => 'the value "k" of plugin acme.notes',
      async () => {
        throw new DOMException('the disk is full', 'QuotaExceededError');
      },
    );
    queue.enqueue(
      () => 'a later value',
      async () => void skipped.push('ran'),
    );
    const failure = await queue.settled().catch((error: unknown) => error);
    expect(PlinthError.isInstance(failure) && failure.code).toBe('persistence_failed');
    expect((failure as Error).message).toBe(
      'IndexedDB stores "x": the value "k" of plugin acme.notes could not be saved: QuotaExceededError: the disk is full. Writes are refused from now on; reopen the store to continue from what was saved',
    );
    expect(heard).toEqual([failure]);
    expect(skipped).toEqual([]);
    expect(() => queue.assertWritable('write')).toThrow(failure as Error);
    queue.fail('another problem');
    expect(queue.failure).toBe(failure);
    expect(heard).toHaveLength(1);
    expect(() => queue.assertOpen('read')).not.toThrow();
  });

  it('refuses every call once closed, with a closed error naming what was refused', async () => {
    const queue = new WriteBehind('workspace directory "w"');
    queue.close();
    await expect(queue.settled()).resolves.toBeUndefined();
    expect(() => queue.assertOpen('read "a.md"')).toThrow(
      new PlinthError('closed', 'workspace directory "w" is closed; cannot read "a.md"'),
    );
    expect(() => queue.assertWritable('write "a.md"')).toThrow(/is closed; cannot write "a.md"$/);
  });
});
