import type {
  NamespaceObject,
  SyncKeyValueStore,
  SyncNamespaceStore,
  SyncSecretStore,
} from '@plinth/host-kit';
import { checkOptions, PlinthError } from '@plinth/protocol';
import { z } from 'zod';
import { indexedDbStoresOptionsSchema } from '../options.js';
import { WriteBehind } from '../write-behind.js';
import { IdbWriter, OBJECT_STORES, openDatabase, readAll, type ObjectStoreName } from './idb-database.js';
import { keyValueMirror, ScopedMap, secretMirror } from './key-value-mirror.js';
import { namespaceMirror, type MirroredNamespace } from './namespace-mirror.js';

/** What `openIndexedDbStores` is told. */
export interface IndexedDbStoresOptions {
  /** The IndexedDB database to use (created on first use); one per app, or per user of an app. */
  name: string;
  /** Default `globalThis.indexedDB`. */
  indexedDB?: IDBFactory | undefined;
  /**
   * Hears the first persistence failure at once (also the rejection of `settled()` and `close()`, and what
   * every later write throws).
   */
  onPersistenceFailure?: ((error: PlinthError) => void) | undefined;
}

/**
 * Plugin storage, secrets and namespaces over one IndexedDB database, loaded into memory when opened.
 * The stores answer at once (they serve the in-thread lane) and write every change through to IndexedDB
 * in the order it was made.
 */
export interface IndexedDbStores {
  readonly storage: SyncKeyValueStore;
  readonly secrets: SyncSecretStore;
  readonly namespaces: SyncNamespaceStore;
  /** The database name. */
  readonly name: string;
  /** The persistence failure, once there is one: every write throws it from then on. */
  readonly failure: PlinthError | undefined;
  /** Resolves once every change made so far is on disk; rejects with the failure if one could not be saved. */
  settled(): Promise<void>;
  /** Waits for `settled()`, then closes the database; the stores refuse every call from then on. */
  close(): Promise<void>;
}

const scopedKey = z.tuple([z.string(), z.string()]);
const recordSchemas = {
  [OBJECT_STORES.storage]: { key: scopedKey, value: z.instanceof(Uint8Array) },
  [OBJECT_STORES.secrets]: { key: scopedKey, value: z.string() },
  [OBJECT_STORES.namespaces]: {
    key: z.string(),
    value: z.object({
      id: z.string(),
      ownerPluginId: z.string(),
      ownerUserId: z.string(),
      createdAt: z.number(),
      metadata: z.json().optional(),
    }),
  },
  [OBJECT_STORES.objects]: {
    key: scopedKey,
    value: z.object({
      key: z.string(),
      data: z.instanceof(Uint8Array),
      mimeType: z.string(),
      sizeBytes: z.number(),
      updatedAt: z.number(),
      contentHash: z.string(),
      audience: z.string().optional(),
    }),
  },
} satisfies Record<ObjectStoreName, { key: z.ZodType; value: z.ZodType }>;

/**
 * Opens (creating on first use) the IndexedDB database `name` and loads all of it into memory, so the
 * stores it answers serve synchronously. Rejects with a `store_unavailable` PlinthError when the database
 * cannot be opened or holds records these stores did not write.
 */
export async function openIndexedDbStores(options: IndexedDbStoresOptions): Promise<IndexedDbStores> {
  checkOptions('openIndexedDbStores', indexedDbStoresOptionsSchema, options);
  const { name } = options;
  const factory = options.indexedDB ?? globalThis.indexedDB;
  if (factory === undefined) {
    throw new PlinthError('store_unavailable', 'openIndexedDbStores: this runtime has no IndexedDB');
  }
  const db = await openDatabase(factory, name);
  let loaded: Awaited<ReturnType<typeof load>>;
  try {
    loaded = load(name, await readAll(db));
  } catch (error) {
    db.close();
    throw error;
  }

  const queue = new WriteBehind(`IndexedDB stores ${JSON.stringify(name)}`, options.onPersistenceFailure);
  // Another page deleting or upgrading the database, or the browser clearing the site's data, ends this
  // connection: nothing written after that could be saved.
  db.onversionchange = () => {
    db.close();
    queue.fail('another page deleted or upgraded the database, so this connection was closed');
  };
  db.onclose = () => queue.fail('the browser closed the database (its data was cleared, or the disk failed)');
  const context = { writer: new IdbWriter(db, queue), queue };

  return {
    storage: keyValueMirror(loaded.storage, context),
    secrets: secretMirror(loaded.secrets, context),
    namespaces: namespaceMirror(loaded.namespaces, context),
    name,
    get failure() {
      return queue.failure;
    },
    settled: () => queue.settled(),
    async close() {
      queue.close();
      try {
        await queue.settled();
      } finally {
        db.onclose = null;
        db.close();
      }
    },
  };
}

/** The mirrors' contents from the database's records, every record checked. */
function load(name: string, records: Record<ObjectStoreName, [IDBValidKey, unknown][]>) {
  const parse = <S extends ObjectStoreName>(store: S) =>
    records[store].map(([key, value]) => {
      const schemas = recordSchemas[store];
      const parsedKey = schemas.key.safeParse(key);
      const parsedValue = schemas.value.safeParse(value);
      if (!parsedKey.success || !parsedValue.success) {
        throw new PlinthError(
          'store_unavailable',
          `openIndexedDbStores: IndexedDB database ${JSON.stringify(name)} holds a record these stores did not write (object store ${JSON.stringify(store)}, key ${JSON.stringify(key)})`,
        );
      }
      return [parsedKey.data, parsedValue.data] as [
        z.infer<(typeof recordSchemas)[S]['key']>,
        z.infer<(typeof recordSchemas)[S]['value']>,
      ];
    });

  const storage = new ScopedMap<Uint8Array>();
  for (const [[pluginId, key], value] of parse(OBJECT_STORES.storage)) storage.set(pluginId, key, value);
  const secrets = new ScopedMap<string>();
  for (const [[pluginId, key], value] of parse(OBJECT_STORES.secrets)) secrets.set(pluginId, key, value);
  const namespaces = new Map<string, MirroredNamespace>();
  for (const [id, { metadata, ...record }] of parse(OBJECT_STORES.namespaces)) {
    namespaces.set(id, {
      record: metadata === undefined ? record : { ...record, metadata },
      objects: new Map(),
    });
  }
  for (const [[nsId, key], { audience, ...object }] of parse(OBJECT_STORES.objects)) {
    const namespace = namespaces.get(nsId);
    if (namespace === undefined) {
      throw new PlinthError(
        'store_unavailable',
        `openIndexedDbStores: IndexedDB database ${JSON.stringify(name)} holds object ${JSON.stringify(key)} of namespace ${nsId}, which it does not hold`,
      );
    }
    const stored: NamespaceObject = audience === undefined ? object : { ...object, audience };
    namespace.objects.set(key, stored);
  }
  return { storage, secrets, namespaces };
}
