import { createHash } from 'node:crypto';
import type {
  NamespaceObject,
  NamespaceObjectInfo,
  NamespaceRecord,
  SyncNamespaceStore,
} from '@plinth/host-kit';
import { compareCodePoints } from './storage.js';

/** A copy of a MemoryNamespaceStore's contents, for assertions. */
export interface NamespaceSnapshot {
  namespaces: NamespaceRecord[];
  /** Every object with its namespace id, ordered by namespace then key. */
  objects: (NamespaceObject & { nsId: string })[];
}

export interface MemoryNamespaceStore extends SyncNamespaceStore {
  /** Copies of every namespace and object, so a test cannot change the store through them. */
  snapshot(): NamespaceSnapshot;
  /** Forgets every namespace and its objects. */
  clear(): void;
}

const infoOf = ({ data: _data, ...info }: NamespaceObject): NamespaceObjectInfo => info;
const copyObject = (object: NamespaceObject): NamespaceObject => ({ ...object, data: object.data.slice() });
const copyRecord = (record: NamespaceRecord): NamespaceRecord =>
  record.metadata === undefined ? { ...record } : { ...record, metadata: structuredClone(record.metadata) };

/** The in-memory `NamespaceStore`: the twin of the SQLite namespaces tables. */
export function createMemoryNamespaceStore(): MemoryNamespaceStore {
  const namespaces = new Map<string, { record: NamespaceRecord; objects: Map<string, NamespaceObject> }>();
  const objectsOf = (nsId: string) => {
    const entry = namespaces.get(nsId);
    if (entry === undefined) throw new Error(`namespace '${nsId}' does not exist`);
    return entry.objects;
  };
  const sortedObjects = (nsId: string) =>
    [...objectsOf(nsId).values()].sort((a, b) => compareCodePoints(a.key, b.key));

  return {
    createNamespace(record) {
      if (namespaces.has(record.id)) throw new Error(`namespace '${record.id}' already exists`);
      namespaces.set(record.id, { record: copyRecord(record), objects: new Map() });
    },
    getNamespace: (id) => {
      const entry = namespaces.get(id);
      return entry === undefined ? undefined : copyRecord(entry.record);
    },
    listNamespaces: (ownerPluginId) =>
      [...namespaces.values()]
        .map((entry) => entry.record)
        .filter((record) => record.ownerPluginId === ownerPluginId)
        .sort((a, b) => a.createdAt - b.createdAt || compareCodePoints(a.id, b.id))
        .map(copyRecord),
    putObject(nsId, write) {
      const object: NamespaceObject = {
        key: write.key,
        data: write.data.slice(),
        mimeType: write.mimeType,
        sizeBytes: write.data.length,
        updatedAt: write.updatedAt,
        contentHash: createHash('sha256').update(write.data).digest('hex'),
        ...(write.audience === undefined ? {} : { audience: write.audience }),
      };
      objectsOf(nsId).set(write.key, object);
      return infoOf(object);
    },
    getObject: (nsId, key) => {
      const object = namespaces.get(nsId)?.objects.get(key);
      return object === undefined ? undefined : copyObject(object);
    },
    deleteObject: (nsId, key) => namespaces.get(nsId)?.objects.delete(key) ?? false,
    listObjects: (nsId, { prefix, limit, offset }) =>
      sortedObjects(nsId)
        .filter((object) => object.key.startsWith(prefix))
        .slice(offset, offset + limit)
        .map(infoOf),
    snapshot: () => ({
      namespaces: [...namespaces.values()].map((entry) => copyRecord(entry.record)),
      objects: [...namespaces.keys()]
        .sort(compareCodePoints)
        .flatMap((nsId) => sortedObjects(nsId).map((object) => ({ ...copyObject(object), nsId }))),
    }),
    clear: () => namespaces.clear(),
  };
}
