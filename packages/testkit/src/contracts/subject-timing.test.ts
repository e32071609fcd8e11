import { createAllowAllChecker } from '@plinth/permissions';
import { createStorageBundle, type KeyValueStore } from '@plinth/host-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryKeyValueStore } from '../twins/storage.js';
import { withContractSubject } from './storage.js';
import { storeReadFor, wireCallFor } from './subject-timing.js';

const laterTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A key-value store whose reads answer promises. */
const promisedStore = (): KeyValueStore => {
  const twin = createMemoryKeyValueStore();
  return { ...twin, get: async (pluginId, key) => twin.get(pluginId, key) };
};

describe('store suites and the synchronous flag', () => {
  const bundleOver = (store: KeyValueStore) =>
    createStorageBundle({ permissions: createAllowAllChecker(), store });

  it('fails a wire answer that arrives as a promise for a synchronous subject, and awaits it otherwise', async () => {
    const bundle = bundleOver(promisedStore());
    const request = { key: 'k' };
    await expect(
      wireCallFor(() => ({ synchronous: true }))(bundle, 'host_storage_get', request, 'p.q'),
    ).rejects.toThrow('host_storage_get answered a promise; without ask its handler must be synchronous');
    expect(await wireCallFor(() => ({}))(bundle, 'host_storage_get', request, 'p.q')).toBe('');
    expect(
      await wireCallFor(() => ({ synchronous: true }))(
        bundleOver(createMemoryKeyValueStore()),
        'host_storage_get',
        request,
        'p.q',
      ),
    ).toBe('');
  });

  it('fails a store read that answers a promise for a synchronous subject, and awaits it otherwise', async () => {
    const store = promisedStore();
    await expect(storeReadFor(() => ({ synchronous: true }))(store.get('p.q', 'k'))).rejects.toThrow(
      'the store answered a promise, but the contract subject is marked synchronous',
    );
    await store.set('p.q', 'k', Uint8Array.of(7));
    expect(await storeReadFor(() => ({}))(store.get('p.q', 'k'))).toEqual(Uint8Array.of(7));
    expect(await storeReadFor(() => ({ synchronous: true }))(Uint8Array.of(8))).toEqual(Uint8Array.of(8));
  });
});

describe('withContractSubject', () => {
  let opened = 0;
  let closed = 0;
  // Registered before the subject's own hook, so (hooks run as a stack) it runs after that hook settled.
  afterEach(() => {
    expect(closed).toBe(opened);
  });
  const subject = withContractSubject(() => {
    opened += 1;
    return {
      id: opened,
      close: async () => {
        await laterTurn();
        closed += 1;
      },
    };
  });

  it('makes a fresh subject per test', () => {
    expect(subject().id).toBe(1);
  });

  it('awaits an asynchronous close before the next test', () => {
    expect(subject().id).toBe(2);
    expect(closed).toBe(1);
  });
});
