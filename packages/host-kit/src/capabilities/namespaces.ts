import type { PermissionDecision } from '@plinth/permissions';
import {
  checkOptions,
  getHostFunction,
  STORAGE_QUOTA,
  type HostFunctionName,
  type HostFunctionRequest,
  type JsonValue,
} from '@plinth/protocol';
import type { CapabilityBundle } from '../bundle/coverage.js';
import type { HostAnswer, HostCallContext } from '../bundle/host-bundle.js';
import { decodeBase64Strict, encodeBase64 } from './base64.js';
import { namespacesBundleOptionsSchema } from '../options/capability-options.js';
import { andThen, permissionGate, type PermissionGate } from '../bundle/permission-gate.js';
import {
  storedTextProblem,
  storedValueQuotaProblem,
  MAX_STORAGE_KEY_LENGTH,
  type StoredValueBundleOptions,
  type MaybePromise,
} from './storage.js';

/** A namespace as stored. Only the plugin that created it (`ownerPluginId`) can see or use it. */
export interface NamespaceRecord {
  id: string;
  ownerPluginId: string;
  /** The user the embedding app runs for (`owner_user_id` on the wire). */
  ownerUserId: string;
  /** ms since epoch. */
  createdAt: number;
  metadata?: JsonValue | undefined;
}

/** What a listing shows of an object; the store computes size and hash from the bytes. */
export interface NamespaceObjectInfo {
  key: string;
  mimeType: string;
  sizeBytes: number;
  /** ms since epoch. */
  updatedAt: number;
  /** sha256 of the bytes, lowercase hex. */
  contentHash: string;
  audience?: string | undefined;
}

export interface NamespaceObject extends NamespaceObjectInfo {
  data: Uint8Array;
}

/** An object to store with `NamespaceStore.putObject`; the store works out its size and hash. */
export interface NamespaceObjectWrite {
  key: string;
  data: Uint8Array;
  mimeType: string;
  updatedAt: number;
  audience?: string | undefined;
}

/** Which page of a namespace's objects `NamespaceStore.listObjects` answers. */
export interface NamespaceObjectQuery {
  /** Keys starting with this (`""` = all). */
  prefix: string;
  limit: number;
  offset: number;
}

/**
 * Namespaces and their objects. Like `KeyValueStore`, synchronous (both lanes) or answering promises (the
 * isolated lane); `(nsId, key)` pairs are kept apart exactly. Listings are ordered by key in Unicode code
 * point order (UTF-8 byte order).
 */
export interface NamespaceStore {
  /** Throws if the id is taken (the bundle generates fresh ids, so that is a host fault). */
  createNamespace(record: NamespaceRecord): MaybePromise<void>;
  /** The namespace with this id, or undefined; the bundle checks the owner itself. */
  getNamespace(id: string): MaybePromise<NamespaceRecord | undefined>;
  /** The plugin's namespaces, oldest first (ties by id). */
  listNamespaces(ownerPluginId: string): MaybePromise<NamespaceRecord[]>;
  /** Creates or replaces the object; computes its size and sha256. */
  putObject(nsId: string, object: NamespaceObjectWrite): MaybePromise<NamespaceObjectInfo>;
  /** The object under `key` with its bytes, or undefined when there is none. */
  getObject(nsId: string, key: string): MaybePromise<NamespaceObject | undefined>;
  /** Removes the object under `key`; whether one was there. */
  deleteObject(nsId: string, key: string): MaybePromise<boolean>;
  /**
   * One page of the namespace's objects whose keys start with `query.prefix`, in key order, without bytes.
   */
  listObjects(nsId: string, query: NamespaceObjectQuery): MaybePromise<NamespaceObjectInfo[]>;
}

/** A `NamespaceStore` that answers at once (SQLite, the twin). */
export interface SyncNamespaceStore extends NamespaceStore {
  createNamespace(record: NamespaceRecord): void;
  getNamespace(id: string): NamespaceRecord | undefined;
  listNamespaces(ownerPluginId: string): NamespaceRecord[];
  putObject(nsId: string, object: NamespaceObjectWrite): NamespaceObjectInfo;
  getObject(nsId: string, key: string): NamespaceObject | undefined;
  deleteObject(nsId: string, key: string): boolean;
  listObjects(nsId: string, query: NamespaceObjectQuery): NamespaceObjectInfo[];
}

export interface NamespacesBundleOptions extends StoredValueBundleOptions {
  store: NamespaceStore;
  /** `owner_user_id` of namespaces created through this bundle. Default `"local"`. */
  ownerUserId?: string | undefined;
  /** ms since epoch; default `Date.now`. */
  clock?: (() => number) | undefined;
  /** New namespace ids; default `crypto.randomUUID()`. */
  newId?: (() => string) | undefined;
}

/** Page size of `host_namespace_list_objects` without `limit`, and the most one page may hold. */
export const NAMESPACE_LIST_LIMIT = 1000;
/** Most keys one `host_namespace_get_objects_batches_concurrent` call may ask for, over all batches. */
export const NAMESPACE_BATCH_MAX_KEYS = 5000;

const TEXT_MIME = /^(?:text\/|application\/(?:[\w.+-]+\+)?(?:json|xml|javascript)(?:;|$))/i;

const wireInfo = (record: NamespaceRecord): Record<string, JsonValue> => ({
  id: record.id,
  owner_user_id: record.ownerUserId,
  created_at: record.createdAt,
  ...(record.metadata === undefined ? {} : { metadata: record.metadata }),
});

const wireObjectInfo = (info: NamespaceObjectInfo): Record<string, JsonValue> => ({
  key: info.key,
  mime_type: info.mimeType,
  size_bytes: info.sizeBytes,
  updated_at: info.updatedAt,
  content_hash: info.contentHash,
});

const OK = JSON.stringify({ ok: true });

/**
 * The namespace functions over a `NamespaceStore`, gated by the `namespaces` permission on the catalogue
 * targets (`*` for create/list, `<ns_id>/<key>` for objects). A plugin only sees the namespaces it created:
 * another plugin's namespace answers exactly like a missing one. Synchronous unless `ask` is set.
 */
export function createNamespacesBundle(options: NamespacesBundleOptions): CapabilityBundle<'namespaces'> {
  checkOptions('createNamespacesBundle', namespacesBundleOptionsSchema, options);
  const { store, ownerUserId = 'local', clock = Date.now } = options;
  const { quotaFor = () => STORAGE_QUOTA.defaultBytes } = options;
  const newId = options.newId ?? (() => globalThis.crypto.randomUUID());
  const gate = permissionGate(options);

  /** The namespace if the calling plugin owns it, else the failure that hides whether it exists. */
  const owned = (
    nsId: string,
    context: HostCallContext,
  ): MaybePromise<NamespaceRecord | { failure: string }> =>
    andThen(store.getNamespace(nsId), (record) =>
      record === undefined || record.ownerPluginId !== context.pluginId
        ? { failure: `namespace '${nsId}' not found` }
        : record,
    );
  /** Runs `next` with the namespace the calling plugin owns, or answers the failure that hides it. */
  const withOwned = (
    nsId: string,
    context: HostCallContext,
    next: (namespace: NamespaceRecord) => HostAnswer | Promise<HostAnswer>,
  ): HostAnswer | Promise<HostAnswer> =>
    andThen(owned(nsId, context), (namespace) => ('failure' in namespace ? namespace : next(namespace)));
  const keyProblem = (key: string) => storedTextProblem('key', key, MAX_STORAGE_KEY_LENGTH);

  const batch = new BatchReader(store, gate, owned, keyProblem);

  return {
    host_namespace_create: (request, context) =>
      gate.guardRequest('host_namespace_create', request, context, () => {
        const record: NamespaceRecord = {
          id: newId(),
          ownerPluginId: context.pluginId,
          ownerUserId,
          createdAt: clock(),
          ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
        };
        return andThen(store.createNamespace(record), () => JSON.stringify(wireInfo(record)));
      }),
    host_namespace_list: (request, context) =>
      gate.guardRequest('host_namespace_list', request, context, () =>
        andThen(store.listNamespaces(context.pluginId), (records) => JSON.stringify(records.map(wireInfo))),
      ),
    host_namespace_put_object: (request, context) =>
      gate.guardRequest('host_namespace_put_object', request, context, () => {
        const problem =
          keyProblem(request.key) ??
          storedTextProblem('mime_type', request.mime_type, 255) ??
          (request.audience === undefined ? undefined : storedTextProblem('audience', request.audience, 255));
        if (problem !== undefined) return { failure: problem };
        return withOwned(request.ns_id, context, (namespace) => {
          const data = decodeBase64Strict(request.body_base64);
          if (data === undefined) return { failure: 'body_base64 must be standard base64' };
          const overQuota = storedValueQuotaProblem(quotaFor, context.pluginId, data.length);
          if (overQuota !== undefined) return { failure: overQuota };
          const written = store.putObject(namespace.id, {
            key: request.key,
            data,
            mimeType: request.mime_type,
            updatedAt: clock(),
            ...(request.audience === undefined ? {} : { audience: request.audience }),
          });
          return andThen(written, () => OK);
        });
      }),
    host_namespace_get_object: (request, context) =>
      gate.guardRequest('host_namespace_get_object', request, context, () =>
        withOwned(request.ns_id, context, (namespace) =>
          andThen(
            keyProblem(request.key) === undefined ? store.getObject(namespace.id, request.key) : undefined,
            (object): HostAnswer =>
              object === undefined
                ? { failure: `object '${request.key}' not found in namespace '${namespace.id}'` }
                : JSON.stringify({ data: encodeBase64(object.data) }),
          ),
        ),
      ),
    host_namespace_delete_object: (request, context) =>
      gate.guardRequest('host_namespace_delete_object', request, context, () =>
        withOwned(request.ns_id, context, (namespace) =>
          keyProblem(request.key) === undefined
            ? andThen(store.deleteObject(namespace.id, request.key), () => OK)
            : OK,
        ),
      ),
    host_namespace_list_objects: (request, context) =>
      gate.guardRequest('host_namespace_list_objects', request, context, () =>
        withOwned(request.ns_id, context, (namespace) => {
          const prefix = request.prefix ?? '';
          const problem = storedTextProblem('prefix', prefix, MAX_STORAGE_KEY_LENGTH);
          if (problem !== undefined) return { failure: problem };
          const limit = Math.min(request.limit ?? NAMESPACE_LIST_LIMIT, NAMESPACE_LIST_LIMIT);
          const infos = store.listObjects(namespace.id, { prefix, limit, offset: request.offset ?? 0 });
          return andThen(infos, (listed) => JSON.stringify(listed.map(wireObjectInfo)));
        }),
      ),
    host_namespace_get_objects_batch: (request, context) =>
      batch.read('host_namespace_get_objects_batch', request.ns_id, request.keys, context),
    host_namespace_get_objects_batches_concurrent: (request, context) => {
      // "Concurrent" batches are merged into one read (each key is still checked and read on its own).
      const keys = request.batches.flat();
      if (keys.length > NAMESPACE_BATCH_MAX_KEYS) {
        return { failure: `${keys.length} keys requested; at most ${NAMESPACE_BATCH_MAX_KEYS} are allowed` };
      }
      return batch.read('host_namespace_get_objects_batches_concurrent', request.ns_id, keys, context);
    },
  };
}

type BatchRequest = HostFunctionRequest<'host_namespace_get_objects_batch'>;

/** `host_namespace_get_objects_batch`: each key is checked on its own; denied or missing keys go to errors. */
class BatchReader {
  constructor(
    private readonly store: NamespaceStore,
    private readonly gate: PermissionGate,
    private readonly owned: (
      nsId: string,
      context: HostCallContext,
    ) => MaybePromise<NamespaceRecord | { failure: string }>,
    private readonly keyProblem: (key: string) => string | undefined,
  ) {}

  read(
    functionName: HostFunctionName,
    nsId: string,
    keys: readonly string[],
    context: HostCallContext,
  ): HostAnswer | Promise<HostAnswer> {
    const unique = [...new Set(keys)];
    // Per-key targets come from the single-object function, so policy scopes mean the same thing.
    const check = getHostFunction('host_namespace_get_object').permission;
    const decisions = unique.map((key) =>
      this.gate.decide(
        'namespaces',
        check?.target({ ns_id: nsId, key }) ?? `${nsId}/${key}`,
        context,
        functionName,
      ),
    );
    const finish = (settled: readonly PermissionDecision[]) => this.collect(nsId, unique, settled, context);
    if (decisions.some((decision) => decision instanceof Promise)) return Promise.all(decisions).then(finish);
    return finish(decisions as PermissionDecision[]);
  }

  private collect(
    nsId: BatchRequest['ns_id'],
    keys: readonly string[],
    decisions: readonly PermissionDecision[],
    context: HostCallContext,
  ): HostAnswer | Promise<HostAnswer> {
    return andThen(this.owned(nsId, context), (namespace) => {
      if ('failure' in namespace) return namespace;
      const reads = keys.map((key, index) => {
        const decision = decisions[index];
        if (decision !== undefined && !decision.allowed) return undefined;
        return this.keyProblem(key) === undefined ? this.store.getObject(namespace.id, key) : undefined;
      });
      const answer = (found: readonly (NamespaceObject | undefined)[]) =>
        batchAnswer(namespace.id, keys, decisions, found);
      return reads.some((read) => read instanceof Promise)
        ? Promise.all(reads).then(answer)
        : answer(reads as (NamespaceObject | undefined)[]);
    });
  }
}

/** The batch answer from each key's decision and what was read for it. */
function batchAnswer(
  nsId: string,
  keys: readonly string[],
  decisions: readonly PermissionDecision[],
  found: readonly (NamespaceObject | undefined)[],
): HostAnswer {
  // Null prototypes: a key named "__proto__" must be a key like any other.
  const objects: Record<string, { data: string; mime_type: string; encoding: 'text' | 'base64' }> =
    Object.create(null);
  const errors: Record<string, string> = Object.create(null);
  keys.forEach((key, index) => {
    const decision = decisions[index];
    if (decision !== undefined && !decision.allowed) {
      errors[key] = decision.message;
      return;
    }
    const object = found[index];
    if (object === undefined) {
      errors[key] = `object '${key}' not found in namespace '${nsId}'`;
      return;
    }
    const text = TEXT_MIME.test(object.mimeType) ? strictUtf8(object.data) : undefined;
    objects[key] =
      text === undefined
        ? { data: encodeBase64(object.data), mime_type: object.mimeType, encoding: 'base64' }
        : { data: text, mime_type: object.mimeType, encoding: 'text' };
  });
  return JSON.stringify(Object.keys(errors).length === 0 ? { objects } : { objects, errors });
}

function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
