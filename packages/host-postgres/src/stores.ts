import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type {
  KeyValueStore,
  NamespaceObject,
  NamespaceObjectInfo,
  NamespaceRecord,
  NamespaceStore,
  SecretStore,
} from '@plinth/host-kit';
import { bytesOf, run, type DatabaseOptions, type Queryable } from './database.js';

/** `(plugin_id, key)` rows: one upsert or delete per write, so every write is its own transaction. */
export function createPostgresKeyValueStore(database: Queryable, options: DatabaseOptions): KeyValueStore {
  return {
    async get(pluginId, key) {
      const rows = await run<{ value: unknown }>(
        database,
        options,
        'storage get',
        'SELECT value FROM plinth_kv WHERE plugin_id = $1 AND key = $2',
        [pluginId, key],
      );
      return rows[0] === undefined ? undefined : bytesOf(rows[0].value);
    },
    async set(pluginId, key, value) {
      await run(
        database,
        options,
        'storage set',
        `INSERT INTO plinth_kv (plugin_id, key, value) VALUES ($1, $2, $3)
         ON CONFLICT (plugin_id, key) DO UPDATE SET value = EXCLUDED.value`,
        [pluginId, key, value],
      );
    },
    async delete(pluginId, key) {
      const rows = await run(
        database,
        options,
        'storage delete',
        'DELETE FROM plinth_kv WHERE plugin_id = $1 AND key = $2 RETURNING 1',
        [pluginId, key],
      );
      return rows.length > 0;
    },
  };
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Secrets sealed with AES-256-GCM under the host's key. The plugin id and key are the authenticated data,
 * so a sealed value copied into another plugin's (or key's) row does not open there: a dump of the
 * database, or a write to it, reveals or moves no secret without the key.
 */
export function createPostgresSecretStore(
  database: Queryable,
  options: DatabaseOptions,
  secretKey: Uint8Array,
): SecretStore {
  const key = Buffer.from(secretKey);
  const aad = (pluginId: string, name: string) => Buffer.from(`${pluginId}\0${name}`, 'utf8');
  return {
    async get(pluginId, name) {
      const rows = await run<{ nonce: unknown; sealed: unknown }>(
        database,
        options,
        'secret get',
        'SELECT nonce, sealed FROM plinth_secrets WHERE plugin_id = $1 AND key = $2',
        [pluginId, name],
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      const sealed = bytesOf(row.sealed);
      const decipher = createDecipheriv('aes-256-gcm', key, bytesOf(row.nonce));
      decipher.setAAD(aad(pluginId, name));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      // A wrong key or a moved row fails here (the tag does not match): the call answers its failure.
      const plain = Buffer.concat([
        decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return plain.toString('utf8');
    },
    async set(pluginId, name, value) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(aad(pluginId, name));
      const sealed = Buffer.concat([cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      await run(
        database,
        options,
        'secret set',
        `INSERT INTO plinth_secrets (plugin_id, key, nonce, sealed) VALUES ($1, $2, $3, $4)
         ON CONFLICT (plugin_id, key) DO UPDATE SET nonce = EXCLUDED.nonce, sealed = EXCLUDED.sealed`,
        [pluginId, name, nonce, sealed],
      );
    },
    async delete(pluginId, name) {
      const rows = await run(
        database,
        options,
        'secret delete',
        'DELETE FROM plinth_secrets WHERE plugin_id = $1 AND key = $2 RETURNING 1',
        [pluginId, name],
      );
      return rows.length > 0;
    },
  };
}

interface NamespaceRow {
  id: string;
  owner_plugin_id: string;
  owner_user_id: string;
  created_at: unknown;
  metadata: string | null;
}

interface ObjectRow {
  key: string;
  mime_type: string;
  size_bytes: unknown;
  updated_at: unknown;
  content_hash: string;
  audience: string | null;
  data?: unknown;
}

const namespaceOf = (row: NamespaceRow): NamespaceRecord => ({
  id: row.id,
  ownerPluginId: row.owner_plugin_id,
  ownerUserId: row.owner_user_id,
  createdAt: Number(row.created_at),
  ...(row.metadata === null ? {} : { metadata: JSON.parse(row.metadata) as NamespaceRecord['metadata'] }),
});

const infoOf = (row: ObjectRow): NamespaceObjectInfo => ({
  key: row.key,
  mimeType: row.mime_type,
  sizeBytes: Number(row.size_bytes),
  updatedAt: Number(row.updated_at),
  contentHash: row.content_hash,
  ...(row.audience === null ? {} : { audience: row.audience }),
});

const OBJECT_INFO = 'key, mime_type, size_bytes, updated_at, content_hash, audience';

/**
 * Namespaces and their objects. Listings are ordered by key in byte order (`COLLATE "C"`, which for UTF-8
 * is code point order), as every `NamespaceStore` must.
 */
export function createPostgresNamespaceStore(database: Queryable, options: DatabaseOptions): NamespaceStore {
  return {
    async createNamespace(record) {
      await run(
        database,
        options,
        'namespace create',
        `INSERT INTO plinth_namespaces (id, owner_plugin_id, owner_user_id, created_at, metadata)
         VALUES ($1, $2, $3, $4, $5)`,
        [
          record.id,
          record.ownerPluginId,
          record.ownerUserId,
          record.createdAt,
          record.metadata === undefined ? null : JSON.stringify(record.metadata),
        ],
      );
    },
    async getNamespace(id) {
      const rows = await run<NamespaceRow>(
        database,
        options,
        'namespace get',
        'SELECT * FROM plinth_namespaces WHERE id = $1',
        [id],
      );
      return rows[0] === undefined ? undefined : namespaceOf(rows[0]);
    },
    async listNamespaces(ownerPluginId) {
      const rows = await run<NamespaceRow>(
        database,
        options,
        'namespace list',
        'SELECT * FROM plinth_namespaces WHERE owner_plugin_id = $1 ORDER BY created_at, id COLLATE "C"',
        [ownerPluginId],
      );
      return rows.map(namespaceOf);
    },
    async putObject(nsId, object) {
      const info: NamespaceObjectInfo = {
        key: object.key,
        mimeType: object.mimeType,
        sizeBytes: object.data.length,
        updatedAt: object.updatedAt,
        contentHash: createHash('sha256').update(object.data).digest('hex'),
        ...(object.audience === undefined ? {} : { audience: object.audience }),
      };
      await run(
        database,
        options,
        'object put',
        `INSERT INTO plinth_namespace_objects (ns_id, key, data, mime_type, size_bytes, updated_at, content_hash, audience)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (ns_id, key) DO UPDATE SET data = EXCLUDED.data, mime_type = EXCLUDED.mime_type,
           size_bytes = EXCLUDED.size_bytes, updated_at = EXCLUDED.updated_at,
           content_hash = EXCLUDED.content_hash, audience = EXCLUDED.audience`,
        [
          nsId,
          object.key,
          object.data,
          info.mimeType,
          info.sizeBytes,
          info.updatedAt,
          info.contentHash,
          object.audience ?? null,
        ],
      );
      return info;
    },
    async getObject(nsId, key) {
      const rows = await run<ObjectRow>(
        database,
        options,
        'object get',
        `SELECT ${OBJECT_INFO}, data FROM plinth_namespace_objects WHERE ns_id = $1 AND key = $2`,
        [nsId, key],
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      const object: NamespaceObject = { ...infoOf(row), data: bytesOf(row.data) };
      return object;
    },
    async deleteObject(nsId, key) {
      const rows = await run(
        database,
        options,
        'object delete',
        'DELETE FROM plinth_namespace_objects WHERE ns_id = $1 AND key = $2 RETURNING 1',
        [nsId, key],
      );
      return rows.length > 0;
    },
    async listObjects(nsId, query) {
      const rows = await run<ObjectRow>(
        database,
        options,
        'object list',
        `SELECT ${OBJECT_INFO} FROM plinth_namespace_objects
         WHERE ns_id = $1 AND starts_with(key, $2)
         ORDER BY key COLLATE "C" LIMIT $3 OFFSET $4`,
        [nsId, query.prefix, query.limit, query.offset],
      );
      return rows.map(infoOf);
    },
  };
}
