import { PlinthError } from '@plinth/protocol';
import type { WriteBehind } from '../write-behind.js';

/** The object stores of a Plinth database, each keyed apart exactly (array keys, never joined strings). */
export const OBJECT_STORES = {
  /** `[pluginId, key]` → value bytes. */
  storage: 'storage',
  /** `[pluginId, key]` → secret text. */
  secrets: 'secrets',
  /** namespace id → `NamespaceRecord`. */
  namespaces: 'namespaces',
  /** `[nsId, key]` → `NamespaceObject`. */
  objects: 'namespace_objects',
} as const;

/** One of `OBJECT_STORES`. */
export type ObjectStoreName = (typeof OBJECT_STORES)[keyof typeof OBJECT_STORES];

const ALL_STORES: readonly ObjectStoreName[] = Object.values(OBJECT_STORES);
const DATABASE_VERSION = 1;

/** One change to make durable: a put, or a delete when `value` is absent. */
interface IdbWrite {
  store: ObjectStoreName;
  key: IDBValidKey;
  value?: unknown;
  /** Names the change in a failure message. */
  what: string;
}

/** The request's result, or its error as a rejection. */
export function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('the IndexedDB request failed'));
  });
}

/** Resolves when the transaction has committed; rejects when it errs or aborts. */
function committed(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    const failed = () => reject(transaction.error ?? new Error('the IndexedDB transaction was aborted'));
    transaction.onerror = failed;
    transaction.onabort = failed;
  });
}

/** Opens (creating on first use) the database `name` with Plinth's object stores. */
export async function openDatabase(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  const request = factory.open(name, DATABASE_VERSION);
  request.onupgradeneeded = () => {
    const db = request.result;
    for (const store of ALL_STORES) {
      if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
    }
  };
  let db: IDBDatabase;
  try {
    db = await requestResult(request);
  } catch (cause) {
    throw new PlinthError(
      'store_unavailable',
      `openIndexedDbStores: cannot open IndexedDB database ${JSON.stringify(name)}: ${String(cause)}`,
      { cause },
    );
  }
  const missing = ALL_STORES.filter((store) => !db.objectStoreNames.contains(store));
  if (missing.length > 0) {
    db.close();
    throw new PlinthError(
      'store_unavailable',
      `openIndexedDbStores: IndexedDB database ${JSON.stringify(name)} is not a Plinth store database (it has no object store ${missing.map((store) => JSON.stringify(store)).join(', ')})`,
    );
  }
  return db;
}

/** Every record of every object store, as `[key, value]` pairs, read in one transaction. */
export async function readAll(db: IDBDatabase): Promise<Record<ObjectStoreName, [IDBValidKey, unknown][]>> {
  const transaction = db.transaction(ALL_STORES, 'readonly');
  const entries = await Promise.all(
    ALL_STORES.map(async (name) => {
      const store = transaction.objectStore(name);
      const [keys, values] = await Promise.all([
        requestResult(store.getAllKeys()),
        requestResult(store.getAll()),
      ]);
      return [name, keys.map((key, index): [IDBValidKey, unknown] => [key, values[index]])] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<ObjectStoreName, [IDBValidKey, unknown][]>;
}

/**
 * Makes a mirror's changes durable: the changes of one turn go into one read-write transaction (strict
 * durability, so it completes once on disk), transactions in the order the changes were made.
 */
export class IdbWriter {
  readonly #db: IDBDatabase;
  readonly #queue: WriteBehind;
  #batch: IdbWrite[] | undefined;

  constructor(db: IDBDatabase, queue: WriteBehind) {
    this.#db = db;
    this.#queue = queue;
  }

  /** Stores `value` under `key`. The value must not be changed afterwards (the mirror keeps its own copy). */
  put(store: ObjectStoreName, key: IDBValidKey, value: unknown, what: string): void {
    this.#add({ store, key, value, what });
  }

  delete(store: ObjectStoreName, key: IDBValidKey, what: string): void {
    this.#add({ store, key, what });
  }

  #add(write: IdbWrite): void {
    if (this.#batch === undefined) {
      const batch: IdbWrite[] = [];
      this.#batch = batch;
      this.#queue.enqueue(
        () => describeBatch(batch),
        () => {
          // Changes made from here on go into the next transaction.
          if (this.#batch === batch) this.#batch = undefined;
          return this.#apply(batch);
        },
      );
    }
    this.#batch.push(write);
  }

  #apply(batch: readonly IdbWrite[]): Promise<void> {
    const stores = [...new Set(batch.map((write) => write.store))];
    const transaction = this.#db.transaction(stores, 'readwrite', { durability: 'strict' });
    const done = committed(transaction);
    for (const write of batch) {
      const store = transaction.objectStore(write.store);
      if ('value' in write) store.put(write.value, write.key);
      else store.delete(write.key);
    }
    return done;
  }
}

function describeBatch(batch: readonly IdbWrite[]): string {
  const first = batch[0]?.what ?? 'a change';
  return batch.length > 1 ? `${first} (and ${batch.length - 1} later changes)` : first;
}
