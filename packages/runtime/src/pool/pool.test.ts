import { PlinthError } from '@plinth/protocol';
import { describe, expect, it } from 'vitest';
import { createPool } from './pool.js';

/** A trivial instance type: the pool needs only create and destroy. */
interface Thing {
  id: number;
  destroyed: boolean;
}

function things() {
  const made: Thing[] = [];
  return {
    made,
    create: () => {
      const thing = { id: made.length, destroyed: false };
      made.push(thing);
      return Promise.resolve(thing);
    },
    destroy: (thing: Thing) => {
      thing.destroyed = true;
      return Promise.resolve();
    },
  };
}

describe('createPool', () => {
  it('pools any instance type, recycling by a custom rule', async () => {
    const source = things();
    const pool = await createPool({
      create: source.create,
      destroy: source.destroy,
      shouldRecycle: (error) => error instanceof Error && error.message === 'broken',
    });
    expect(await pool.use((thing) => Promise.resolve(thing.id))).toBe(0);
    await expect(pool.use(() => Promise.reject(new Error('fine')))).rejects.toThrow('fine');
    await expect(
      pool.use(() => Promise.reject(new PlinthError('trap', 'not broken by this rule'))),
    ).rejects.toMatchObject({ code: 'trap' });
    expect(source.made).toHaveLength(1);
    await expect(pool.use(() => Promise.reject(new Error('broken')))).rejects.toThrow('broken');
    expect(source.made[0]?.destroyed).toBe(true);
    expect(await pool.use((thing) => Promise.resolve(thing.id))).toBe(1);
    expect(pool.stats()).toMatchObject({ size: 1, created: 2, recycled: 1 });
    await pool.close();
    expect(source.made.every((thing) => thing.destroyed)).toBe(true);
  });

  it('each() runs on every live instance in pool order and skips one destroyed before its turn', async () => {
    const source = things();
    const pool = await createPool({ create: source.create, destroy: source.destroy, min: 3 });
    let release: () => void = () => undefined;
    // The busy instance fails with a recycle error, so the claim each() made on it is dropped.
    const busy = pool.use(
      () => new Promise<never>((_, reject) => (release = () => reject(new PlinthError('timeout', 'slow')))),
    );
    const visits = pool.each((thing) => Promise.resolve(thing.id));
    await new Promise((resolve) => setTimeout(resolve, 0));
    release();
    await expect(busy).rejects.toMatchObject({ code: 'timeout' });
    const outcomes = await visits;
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 0 },
      { status: 'fulfilled', value: 1 },
    ]);
    await pool.close();
    await expect(pool.each(() => Promise.resolve())).rejects.toMatchObject({ code: 'closed' });
  });
});
