import type {
  NamespaceObject,
  NamespaceObjectInfo,
  NamespaceRecord,
  SyncNamespaceStore,
} from '@plinth/host-kit';
import { sha256Hex } from '../sha256.js';
import { compareCodePoints } from '../text-order.js';
import { OBJECT_STORES } from './idb-database.js';
import type { MirrorContext } from './key-value-mirror.js';

/** A namespace and its objects as the mirror holds them. */
export interface MirroredNamespace {
  record: NamespaceRecord;
  objects: Map<string, NamespaceObject>;
}

const infoOf = ({ data: _data, ...info }: NamespaceObject): NamespaceObjectInfo => info;
const copyObject = (object: NamespaceObject): NamespaceObject => ({ ...object, data: object.data.slice() });
const copyRecord = (record: NamespaceRecord): NamespaceRecord =>
  record.metadata === undefined ? { ...record } : { ...record, metadata: structuredClone(record.metadata) };

/** The namespaces mirror: answers from memory, every change written through to IndexedDB. */
export function namespaceMirror(
  namespaces: Map<string, MirroredNamespace>,
  { writer, queue }: MirrorContext,
): SyncNamespaceStore {
  const objectsOf = (nsId: string) => {
    const entry = namespaces.get(nsId);
    // The bundle checks the owner first, so a missing namespace here is a host fault.
    if (entry === undefined) throw new Error(`namespace '${nsId}' does not exist`);
    return entry.objects;
  };
  const describe = (what: string, nsId: string, key: string) =>
    `the ${what} ${JSON.stringify(key)} of namespace ${nsId}`;

  return {
    createNamespace(record) {
      queue.assertWritable('create a namespace');
      if (namespaces.has(record.id)) throw new Error(`namespace '${record.id}' already exists`);
      const stored = copyRecord(record);
      namespaces.set(record.id, { record: stored, objects: new Map() });
      writer.put(OBJECT_STORES.namespaces, record.id, stored, `the namespace ${record.id}`);
    },
    getNamespace(id) {
      queue.assertOpen('read a namespace');
      const entry = namespaces.get(id);
      return entry === undefined ? undefined : copyRecord(entry.record);
    },
    listNamespaces(ownerPluginId) {
      queue.assertOpen('list namespaces');
      return [...namespaces.values()]
        .map((entry) => entry.record)
        .filter((record) => record.ownerPluginId === ownerPluginId)
        .sort((a, b) => a.createdAt - b.createdAt || compareCodePoints(a.id, b.id))
        .map(copyRecord);
    },
    putObject(nsId, write) {
      queue.assertWritable('write a namespace object');
      const objects = objectsOf(nsId);
      const object: NamespaceObject = {
        key: write.key,
        data: write.data.slice(),
        mimeType: write.mimeType,
        sizeBytes: write.data.length,
        updatedAt: write.updatedAt,
        contentHash: sha256Hex(write.data),
        ...(write.audience === undefined ? {} : { audience: write.audience }),
      };
      objects.set(write.key, object);
      writer.put(OBJECT_STORES.objects, [nsId, write.key], object, describe('object', nsId, write.key));
      return infoOf(object);
    },
    getObject(nsId, key) {
      queue.assertOpen('read a namespace object');
      const object = namespaces.get(nsId)?.objects.get(key);
      return object === undefined ? undefined : copyObject(object);
    },
    deleteObject(nsId, key) {
      queue.assertWritable('delete a namespace object');
      const deleted = namespaces.get(nsId)?.objects.delete(key) ?? false;
      if (deleted)
        writer.delete(OBJECT_STORES.objects, [nsId, key], describe('deletion of object', nsId, key));
      return deleted;
    },
    listObjects(nsId, { prefix, limit, offset }) {
      queue.assertOpen('list namespace objects');
      return [...objectsOf(nsId).values()]
        .filter((object) => object.key.startsWith(prefix))
        .sort((a, b) => compareCodePoints(a.key, b.key))
        .slice(offset, offset + limit)
        .map(infoOf);
    },
  };
}
