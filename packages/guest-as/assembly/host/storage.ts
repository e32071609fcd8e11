// The plugin's own storage and secrets (keys are scoped to the plugin by the host).
import { callHost } from "../io";
import { Result, failure, success } from "../result";
import { encodeBase64 } from "../base64";
import { decodeUtf8, encodeUtf8 } from "../utf8";
import { dataBytes, parseAnswer, request, shapeQ, shapeS } from "./shapes";

// shape: Q
@external("extism:host/user", "host_storage_get")
declare function host_storage_get(handle: u64): u64;

/** A stored value, or null when absent (`host_storage_get`). Quiet: a denied key reads as absent. */
export function storageGet(key: string): Result<Uint8Array | null> {
  const text = callHost(host_storage_get, request().setString("key", key).stringify());
  if (shapeQ(text, "")) return success<Uint8Array | null>(null);
  const answer = parseAnswer("host_storage_get", text);
  if (!answer.ok) return answer.forward<Uint8Array | null>();
  const bytes = dataBytes("host_storage_get", answer.value);
  if (!bytes.ok) return bytes.forward<Uint8Array | null>();
  return success<Uint8Array | null>(bytes.value);
}

/** A stored value decoded as UTF-8, or null when absent. */
export function storageGetString(key: string): Result<string | null> {
  const bytes = storageGet(key);
  if (!bytes.ok) return bytes.forward<string | null>();
  const value = bytes.value;
  return success<string | null>(value === null ? null : decodeUtf8(value));
}

// shape: S
@external("extism:host/user", "host_storage_set")
declare function host_storage_set(handle: u64): u64;

/** Stores a value (`host_storage_set`); empty bytes delete the key. Limited by the storage quota. */
export function storageSet(key: string, data: Uint8Array): Result<bool> {
  const body = request().setString("key", key).setString("data", encodeBase64(data)).stringify();
  const error = shapeS(callHost(host_storage_set, body));
  return error !== null ? failure<bool>(error) : success<bool>(true);
}

/** Stores a string as UTF-8. */
export function storageSetString(key: string, value: string): Result<bool> {
  return storageSet(key, encodeUtf8(value));
}

/** Deletes a stored value. */
export function storageDelete(key: string): Result<bool> {
  return storageSet(key, new Uint8Array(0));
}

// shape: Q
@external("extism:host/user", "host_secret_get")
declare function host_secret_get(handle: u64): u64;

/** A secret, or null when absent or denied (`host_secret_get`, extended set). */
export function secretGet(key: string): Result<string | null> {
  const text = callHost(host_secret_get, request().setString("key", key).stringify());
  if (shapeQ(text, "")) return success<string | null>(null);
  const answer = parseAnswer("host_secret_get", text);
  if (!answer.ok) return answer.forward<string | null>();
  return success<string | null>(answer.value.getString("value"));
}

// shape: S
@external("extism:host/user", "host_secret_set")
declare function host_secret_set(handle: u64): u64;

/** Stores a secret (`host_secret_set`, extended set). */
export function secretSet(key: string, value: string): Result<bool> {
  const error = shapeS(callHost(host_secret_set, request().setString("key", key).setString("value", value).stringify()));
  return error !== null ? failure<bool>(error) : success<bool>(true);
}

// shape: S
@external("extism:host/user", "host_secret_delete")
declare function host_secret_delete(handle: u64): u64;

/** Deletes a secret (`host_secret_delete`, extended set). */
export function secretDelete(key: string): Result<bool> {
  const error = shapeS(callHost(host_secret_delete, request().setString("key", key).stringify()));
  return error !== null ? failure<bool>(error) : success<bool>(true);
}
