// Workspace files. Paths are workspace-relative and `/`-separated; the host contains them.
import { callHost, callHostBytes } from "../io";
import { parseJson } from "../json";
import { Result, failure, success } from "../result";
import { encodeBase64 } from "../base64";
import { encodeUtf8 } from "../utf8";
import { dataBytes, parseAnswer, request, shapeE, shapeQ, shapeS, stringList } from "./shapes";

function pathRequest(path: string): string {
  return request().setString("path", path).stringify();
}

// shape: E
@external("extism:host/user", "host_read_file")
declare function host_read_file(handle: u64): u64;

/** Reads a workspace file as UTF-8 text (`host_read_file`). */
export function readFile(path: string): Result<string> {
  const text = callHost(host_read_file, pathRequest(path));
  const parsed = parseJson(text);
  if (parsed.ok) {
    const error = shapeE(parsed.value, true);
    if (error !== null) return failure<string>(error);
  }
  return success<string>(text);
}

// shape: E
@external("extism:host/user", "host_read_binary")
declare function host_read_binary(handle: u64): u64;

/** Reads a workspace file as bytes (`host_read_binary`, extended set). */
export function readBinary(path: string): Result<Uint8Array> {
  const answer = parseAnswer("host_read_binary", callHost(host_read_binary, pathRequest(path)));
  if (!answer.ok) return answer.forward<Uint8Array>();
  const error = shapeE(answer.value);
  if (error !== null) return failure<Uint8Array>(error);
  return dataBytes("host_read_binary", answer.value);
}

// shape: E
@external("extism:host/user", "host_list_files")
declare function host_list_files(handle: u64): u64;

/** Files and folders under a prefix, recursively (`host_list_files`); "" is the workspace root. */
export function listFiles(prefix: string): Result<Array<string>> {
  const answer = parseAnswer("host_list_files", callHost(host_list_files, request().setString("prefix", prefix).stringify()));
  if (!answer.ok) return answer.forward<Array<string>>();
  const error = shapeE(answer.value);
  if (error !== null) return failure<Array<string>>(error);
  return stringList("host_list_files", answer.value);
}

// shape: E
@external("extism:host/user", "host_list_dir")
declare function host_list_dir(handle: u64): u64;

/** The direct children of a folder (`host_list_dir`, extended set). */
export function listDir(path: string): Result<Array<string>> {
  const answer = parseAnswer("host_list_dir", callHost(host_list_dir, pathRequest(path)));
  if (!answer.ok) return answer.forward<Array<string>>();
  const error = shapeE(answer.value);
  if (error !== null) return failure<Array<string>>(error);
  return stringList("host_list_dir", answer.value);
}

// shape: Q
@external("extism:host/user", "host_file_exists")
declare function host_file_exists(handle: u64): u64;

/** Whether a file exists (`host_file_exists`). Quiet: a denied path reads as `false`. */
export function fileExists(path: string): Result<bool> {
  const text = callHost(host_file_exists, pathRequest(path));
  if (shapeQ(text, "false")) return success<bool>(false);
  return success<bool>(text == "true");
}

/** Size and modification time of a file; `-1` where the host does not know. */
export class FileMetadata {
  constructor(public exists: bool, public sizeBytes: i64, public modifiedAtMs: i64) {}
}

// shape: Q
@external("extism:host/user", "host_file_metadata")
declare function host_file_metadata(handle: u64): u64;

/** A file's metadata (`host_file_metadata`, extended set). Quiet: denied reads as not existing. */
export function fileMetadata(path: string): Result<FileMetadata> {
  const text = callHost(host_file_metadata, pathRequest(path));
  if (shapeQ(text, '{"exists":false,"size_bytes":null,"modified_at_ms":null}')) {
    return success<FileMetadata>(new FileMetadata(false, -1, -1));
  }
  const answer = parseAnswer("host_file_metadata", text);
  if (!answer.ok) return answer.forward<FileMetadata>();
  const v = answer.value;
  return success<FileMetadata>(new FileMetadata(v.getBool("exists"), v.getInteger("size_bytes", -1), v.getInteger("modified_at_ms", -1)));
}

// shape: Q
@external("extism:host/user", "host_hash_file")
declare function host_hash_file(handle: u64): u64;

/** SHA-256 (hex) of a file, or null when absent or denied (`host_hash_file`, extended set). */
export function hashFile(path: string): Result<string | null> {
  const text = callHost(host_hash_file, pathRequest(path));
  if (shapeQ(text, "")) return success<string | null>(null);
  const answer = parseAnswer("host_hash_file", text);
  if (!answer.ok) return answer.forward<string | null>();
  return success<string | null>(answer.value.getString("hash"));
}

// shape: S
@external("extism:host/user", "host_write_file")
declare function host_write_file(handle: u64): u64;

/** Writes UTF-8 text to a file, atomically (`host_write_file`). */
export function writeFile(path: string, content: string): Result<bool> {
  const text = callHost(host_write_file, request().setString("path", path).setString("content", content).stringify());
  const error = shapeS(text);
  return error !== null ? failure<bool>(error) : success<bool>(true);
}

// shape: S
@external("extism:host/user", "host_write_binary")
declare function host_write_binary(handle: u64): u64;

/** Writes bytes to a file, atomically (`host_write_binary`). */
export function writeBinary(path: string, content: Uint8Array): Result<bool> {
  const body = request().setString("path", path).setString("content", encodeBase64(content)).stringify();
  const error = shapeS(callHost(host_write_binary, body));
  return error !== null ? failure<bool>(error) : success<bool>(true);
}

// shape: S
@external("extism:host/user", "host_delete_file")
declare function host_delete_file(handle: u64): u64;

/** Deletes a file (`host_delete_file`). */
export function deleteFile(path: string): Result<bool> {
  const error = shapeS(callHost(host_delete_file, pathRequest(path)));
  return error !== null ? failure<bool>(error) : success<bool>(true);
}

// shape: none
@external("extism:host/user", "host_request_file")
declare function host_request_file(handle: u64): u64;

/** Bytes of a file the embedding app supplied for this call, empty when none (`host_request_file`). */
export function requestFile(key: string): Result<Uint8Array> {
  const bytes = callHostBytes(host_request_file, encodeUtf8(request().setString("key", key).stringify()));
  return success<Uint8Array>(bytes);
}

// shape: S
@external("extism:host/user", "host_workspace_file_set")
declare function host_workspace_file_set(handle: u64): u64;

/** Every file reachable from the workspace's root index (`host_workspace_file_set`, extended set). */
export function workspaceFileSet(): Result<Array<string>> {
  const text = callHost(host_workspace_file_set, "{}");
  const parsed = parseJson(text);
  if (parsed.ok && parsed.value.isArray) return stringList("host_workspace_file_set", parsed.value);
  const error = shapeS(text);
  return failure<Array<string>>(error !== null ? error : "host_workspace_file_set: empty answer");
}
