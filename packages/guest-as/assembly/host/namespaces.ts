// Object namespaces (a Plinth addition, gated by the `namespaces` permission).
import { callHost } from "../io";
import { JsonValue } from "../json";
import { Result, failure, success } from "../result";
import { encodeBase64 } from "../base64";
import { dataBytes, parseAnswer, request, shapeE, stringList, stringMap } from "./shapes";

export class NamespaceInfo {
  constructor(
    public id: string,
    public ownerUserId: string,
    /** ms since epoch */
    public createdAt: i64,
    public metadata: JsonValue | null,
  ) {}
  static fromJson(v: JsonValue): NamespaceInfo {
    const id = v.getString("id");
    const owner = v.getString("owner_user_id");
    return new NamespaceInfo(id !== null ? id : "", owner !== null ? owner : "", v.getInteger("created_at"), v.get("metadata"));
  }
}

/** One listed object; numbers are `-1` and strings null where the host left them out. */
export class NamespaceObjectInfo {
  constructor(
    public key: string,
    public mimeType: string | null,
    public sizeBytes: i64,
    public updatedAt: i64,
    public contentHash: string | null,
    /** The whole entry, including fields this SDK does not name. */
    public raw: JsonValue,
  ) {}
}

export class BatchObject {
  constructor(
    /** UTF-8 text when `encoding` is "text", else base64. */
    public data: string,
    public mimeType: string,
    public encoding: string,
  ) {}
}

export class BatchObjects {
  constructor(public objects: Map<string, BatchObject>, public errors: Map<string, string>) {}
}

/** Shared answer reader: the answer parsed, or its failure in shape E. */
function callE(name: string, fn: (handle: u64) => u64, body: JsonValue): Result<JsonValue> {
  const answer = parseAnswer(name, callHost(fn, body.stringify()));
  if (!answer.ok) return answer;
  const error = shapeE(answer.value);
  if (error !== null) return failure<JsonValue>(error);
  return answer;
}

function readBatch(answer: Result<JsonValue>): Result<BatchObjects> {
  if (!answer.ok) return answer.forward<BatchObjects>();
  const objects = new Map<string, BatchObject>();
  const json = answer.value.get("objects");
  if (json !== null && json.isObject) {
    const keys = json.keys();
    for (let i = 0; i < keys.length; i++) {
      const o = json.valueAt(i)!;
      const data = o.getString("data");
      const mime = o.getString("mime_type");
      const encoding = o.getString("encoding");
      objects.set(keys[i], new BatchObject(data !== null ? data : "", mime !== null ? mime : "", encoding !== null ? encoding : "base64"));
    }
  }
  return success<BatchObjects>(new BatchObjects(objects, stringMap(answer.value.get("errors"))));
}

function okAnswer(answer: Result<JsonValue>): Result<bool> {
  return answer.ok ? success<bool>(true) : answer.forward<bool>();
}

// shape: E
@external("extism:host/user", "host_namespace_create")
declare function host_namespace_create(handle: u64): u64;

/** Creates a namespace (`host_namespace_create`). */
export function namespaceCreate(metadata: JsonValue | null = null): Result<NamespaceInfo> {
  const body = request();
  if (metadata !== null) body.set("metadata", metadata);
  const answer = callE("host_namespace_create", host_namespace_create, body);
  if (!answer.ok) return answer.forward<NamespaceInfo>();
  return success<NamespaceInfo>(NamespaceInfo.fromJson(answer.value));
}

// shape: E
@external("extism:host/user", "host_namespace_list")
declare function host_namespace_list(handle: u64): u64;

/** The namespaces the plugin can see (`host_namespace_list`). */
export function namespaceList(): Result<Array<NamespaceInfo>> {
  const answer = callE("host_namespace_list", host_namespace_list, request());
  if (!answer.ok) return answer.forward<Array<NamespaceInfo>>();
  const list = new Array<NamespaceInfo>();
  for (let i = 0; i < answer.value.length; i++) list.push(NamespaceInfo.fromJson(answer.value.at(i)!));
  return success<Array<NamespaceInfo>>(list);
}

// shape: E
@external("extism:host/user", "host_namespace_put_object")
declare function host_namespace_put_object(handle: u64): u64;

/** Stores an object (`host_namespace_put_object`); `audience` may be null. */
export function namespacePutObject(nsId: string, key: string, body: Uint8Array, mimeType: string, audience: string | null = null): Result<bool> {
  const json = request().setString("ns_id", nsId).setString("key", key).setString("body_base64", encodeBase64(body)).setString("mime_type", mimeType);
  if (audience !== null) json.setString("audience", audience);
  return okAnswer(callE("host_namespace_put_object", host_namespace_put_object, json));
}

// shape: E
@external("extism:host/user", "host_namespace_get_object")
declare function host_namespace_get_object(handle: u64): u64;

/** Reads an object's bytes (`host_namespace_get_object`). */
export function namespaceGetObject(nsId: string, key: string): Result<Uint8Array> {
  const answer = callE("host_namespace_get_object", host_namespace_get_object, request().setString("ns_id", nsId).setString("key", key));
  if (!answer.ok) return answer.forward<Uint8Array>();
  return dataBytes("host_namespace_get_object", answer.value);
}

// shape: E
@external("extism:host/user", "host_namespace_delete_object")
declare function host_namespace_delete_object(handle: u64): u64;

/** Deletes an object (`host_namespace_delete_object`). */
export function namespaceDeleteObject(nsId: string, key: string): Result<bool> {
  return okAnswer(callE("host_namespace_delete_object", host_namespace_delete_object, request().setString("ns_id", nsId).setString("key", key)));
}

// shape: E
@external("extism:host/user", "host_namespace_list_objects")
declare function host_namespace_list_objects(handle: u64): u64;

/** Lists objects by key prefix, paged (`host_namespace_list_objects`); pass null / -1 to leave a filter out. */
export function namespaceListObjects(nsId: string, prefix: string | null = null, limit: i32 = -1, offset: i32 = -1): Result<Array<NamespaceObjectInfo>> {
  const body = request().setString("ns_id", nsId);
  if (prefix !== null) body.setString("prefix", prefix);
  if (limit > 0) body.setInteger("limit", limit);
  if (offset >= 0) body.setInteger("offset", offset);
  const answer = callE("host_namespace_list_objects", host_namespace_list_objects, body);
  if (!answer.ok) return answer.forward<Array<NamespaceObjectInfo>>();
  const list = new Array<NamespaceObjectInfo>();
  for (let i = 0; i < answer.value.length; i++) {
    const o = answer.value.at(i)!;
    const key = o.getString("key");
    list.push(new NamespaceObjectInfo(key !== null ? key : "", o.getString("mime_type"), o.getInteger("size_bytes", -1), o.getInteger("updated_at", -1), o.getString("content_hash"), o));
  }
  return success<Array<NamespaceObjectInfo>>(list);
}

// shape: E
@external("extism:host/user", "host_namespace_get_objects_batch")
declare function host_namespace_get_objects_batch(handle: u64): u64;

/** Reads up to 500 objects at once (`host_namespace_get_objects_batch`, extended set). */
export function namespaceGetObjectsBatch(nsId: string, keys: Array<string>): Result<BatchObjects> {
  const body = request().setString("ns_id", nsId).set("keys", JsonValue.ofStrings(keys));
  return readBatch(callE("host_namespace_get_objects_batch", host_namespace_get_objects_batch, body));
}

// shape: E
@external("extism:host/user", "host_namespace_get_objects_batches_concurrent")
declare function host_namespace_get_objects_batches_concurrent(handle: u64): u64;

/** Reads several batches concurrently, results merged (extended set); `maxConcurrency` 0 = host default. */
export function namespaceGetObjectsBatchesConcurrent(nsId: string, batches: Array<Array<string>>, maxConcurrency: i32 = 0): Result<BatchObjects> {
  const list = JsonValue.newArray();
  for (let i = 0; i < batches.length; i++) list.push(JsonValue.ofStrings(batches[i]));
  const body = request().setString("ns_id", nsId).set("batches", list);
  if (maxConcurrency > 0) body.setInteger("max_concurrency", maxConcurrency);
  return readBatch(callE("host_namespace_get_objects_batches_concurrent", host_namespace_get_objects_batches_concurrent, body));
}

// shape: E
@external("extism:host/user", "host_namespace_sync_audience")
declare function host_namespace_sync_audience(handle: u64): u64;

/** Creates or updates an audience; `gates` is a JSON array of gates, or null for public (extended set). */
export function namespaceSyncAudience(nsId: string, audience: string, gates: JsonValue | null = null): Result<bool> {
  const body = request().setString("ns_id", nsId).setString("audience", audience).set("gates", gates !== null ? gates : JsonValue.ofNull());
  return okAnswer(callE("host_namespace_sync_audience", host_namespace_sync_audience, body));
}

// shape: E
@external("extism:host/user", "host_namespace_list_audiences")
declare function host_namespace_list_audiences(handle: u64): u64;

/** The audiences of a namespace (`host_namespace_list_audiences`, extended set). */
export function namespaceListAudiences(nsId: string): Result<Array<string>> {
  const answer = callE("host_namespace_list_audiences", host_namespace_list_audiences, request().setString("ns_id", nsId));
  if (!answer.ok) return answer.forward<Array<string>>();
  const audiences = answer.value.get("audiences");
  return stringList("host_namespace_list_audiences", audiences !== null ? audiences : JsonValue.ofNull());
}

// shape: E
@external("extism:host/user", "host_namespace_delete_audience")
declare function host_namespace_delete_audience(handle: u64): u64;

/** Deletes an audience (`host_namespace_delete_audience`, extended set). */
export function namespaceDeleteAudience(nsId: string, audience: string): Result<bool> {
  return okAnswer(callE("host_namespace_delete_audience", host_namespace_delete_audience, request().setString("ns_id", nsId).setString("audience", audience)));
}

// shape: E
@external("extism:host/user", "host_namespace_build")
declare function host_namespace_build(handle: u64): u64;

/** Builds a namespace (`host_namespace_build`, extended set; always "not available" on Plinth hosts). */
export function namespaceBuild(): Result<JsonValue> {
  return callE("host_namespace_build", host_namespace_build, request());
}

// shape: E
@external("extism:host/user", "host_namespace_send_email")
declare function host_namespace_send_email(handle: u64): u64;

/** Emails a namespace audience (`host_namespace_send_email`, extended set); `replyTo` may be null. */
export function namespaceSendEmail(nsId: string, audience: string, subject: string, replyTo: string | null = null): Result<JsonValue> {
  const body = request().setString("ns_id", nsId).setString("audience", audience).setString("subject", subject);
  if (replyTo !== null) body.setString("reply_to", replyTo);
  return callE("host_namespace_send_email", host_namespace_send_email, body);
}
