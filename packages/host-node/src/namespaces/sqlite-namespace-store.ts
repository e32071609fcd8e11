import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { JsonValue } from '@plinth/protocol';
import type { NamespaceObjectInfo, NamespaceRecord, SyncNamespaceStore } from '@plinth/host-kit';

interface NamespaceRow {
  id: string;
  owner_plugin_id: string;
  owner_user_id: string;
  created_at: number;
  metadata: string | null;
}

interface ObjectInfoRow {
  key: string;
  mime_type: string;
  size_bytes: number;
  updated_at: number;
  content_hash: string;
  audience: string | null;
}

const recordOf = (row: NamespaceRow): NamespaceRecord => ({
  id: row.id,
  ownerPluginId: row.owner_plugin_id,
  ownerUserId: row.owner_user_id,
  createdAt: row.created_at,
  ...(row.metadata === null ? {} : { metadata: JSON.parse(row.metadata) as JsonValue }),
});

const infoOf = (row: ObjectInfoRow): NamespaceObjectInfo => ({
  key: row.key,
  mimeType: row.mime_type,
  sizeBytes: row.size_bytes,
  updatedAt: row.updated_at,
  contentHash: row.content_hash,
  ...(row.audience === null ? {} : { audience: row.audience }),
});

const INFO_COLUMNS = 'key, mime_type, size_bytes, updated_at, content_hash, audience';

/** Namespaces and objects in the `namespaces` and `namespace_objects` tables; keys in BINARY (UTF-8) order. */
export function createSqliteNamespaceStore(database: Database.Database): SyncNamespaceStore {
  const insertNamespace = database.prepare<[string, string, string, number, string | null]>(
    'INSERT INTO namespaces (id, owner_plugin_id, owner_user_id, created_at, metadata) VALUES (?, ?, ?, ?, ?)',
  );
  const selectNamespace = database.prepare<[string], NamespaceRow>('SELECT * FROM namespaces WHERE id = ?');
  const selectOwned = database.prepare<[string], NamespaceRow>(
    'SELECT * FROM namespaces WHERE owner_plugin_id = ? ORDER BY created_at, id',
  );
  const upsertObject = database.prepare<
    [string, string, Uint8Array, string, number, number, string, string | null]
  >(
    `INSERT INTO namespace_objects (ns_id, key, data, mime_type, size_bytes, updated_at, content_hash, audience)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (ns_id, key) DO UPDATE SET data = excluded.data, mime_type = excluded.mime_type,
       size_bytes = excluded.size_bytes, updated_at = excluded.updated_at,
       content_hash = excluded.content_hash, audience = excluded.audience`,
  );
  const selectObject = database.prepare<[string, string], ObjectInfoRow & { data: Buffer }>(
    `SELECT data, ${INFO_COLUMNS} FROM namespace_objects WHERE ns_id = ? AND key = ?`,
  );
  const deleteObject = database.prepare<[string, string]>(
    'DELETE FROM namespace_objects WHERE ns_id = ? AND key = ?',
  );
  // substr counts code points, as `[...prefix].length` does; keys never hold NUL (the bundle refuses it).
  const listObjects = database.prepare<[string, number, string, number, number], ObjectInfoRow>(
    `SELECT ${INFO_COLUMNS} FROM namespace_objects
     WHERE ns_id = ? AND substr(key, 1, ?) = ? ORDER BY key LIMIT ? OFFSET ?`,
  );

  return {
    createNamespace(record) {
      const metadata = record.metadata === undefined ? null : JSON.stringify(record.metadata);
      insertNamespace.run(record.id, record.ownerPluginId, record.ownerUserId, record.createdAt, metadata);
    },
    getNamespace(id) {
      const row = selectNamespace.get(id);
      return row === undefined ? undefined : recordOf(row);
    },
    listNamespaces: (ownerPluginId) => selectOwned.all(ownerPluginId).map(recordOf),
    putObject(nsId, write) {
      const contentHash = createHash('sha256').update(write.data).digest('hex');
      const audience = write.audience ?? null;
      const size = write.data.length;
      upsertObject.run(
        nsId,
        write.key,
        write.data,
        write.mimeType,
        size,
        write.updatedAt,
        contentHash,
        audience,
      );
      return infoOf({
        key: write.key,
        mime_type: write.mimeType,
        size_bytes: size,
        updated_at: write.updatedAt,
        content_hash: contentHash,
        audience,
      });
    },
    getObject(nsId, key) {
      const row = selectObject.get(nsId, key);
      return row === undefined ? undefined : { ...infoOf(row), data: new Uint8Array(row.data) };
    },
    deleteObject: (nsId, key) => deleteObject.run(nsId, key).changes > 0,
    listObjects: (nsId, { prefix, limit, offset }) =>
      listObjects.all(nsId, [...prefix].length, prefix, limit, offset).map(infoOf),
  };
}
