// Logging, events, time, cancellation, cross-plugin commands, WASI modules and the runtime context.
import { callHost } from "../io";
import { JsonValue } from "../json";
import { Result, failure, success } from "../result";
import { decodeBase64, encodeBase64 } from "../base64";
import { parseAnswer, request, shapeNone, shapeP, shapeS, shapeW } from "./shapes";

// shape: S
@external("extism:host/user", "host_log")
declare function host_log(handle: u64): u64;

/** Writes a line to the host log (`host_log`): level `error`, `warn`, `info`, `debug` or `trace`. */
export function log(level: string, message: string): Result<bool> {
  const error = shapeS(callHost(host_log, request().setString("level", level).setString("message", message).stringify()));
  return error !== null ? failure<bool>(error) : success<bool>(true);
}
export function logInfo(message: string): Result<bool> {
  return log("info", message);
}
export function logWarn(message: string): Result<bool> {
  return log("warn", message);
}
export function logError(message: string): Result<bool> {
  return log("error", message);
}
export function logDebug(message: string): Result<bool> {
  return log("debug", message);
}

// shape: S
@external("extism:host/user", "host_emit_event")
declare function host_emit_event(handle: u64): u64;

/** Emits an event onto the host's event bus (`host_emit_event`); any JSON, by convention `{event_type, payload}`. */
export function emitEvent(event: JsonValue): Result<bool> {
  const error = shapeS(callHost(host_emit_event, event.stringify()));
  return error !== null ? failure<bool>(error) : success<bool>(true);
}

// shape: none
@external("extism:host/user", "host_get_runtime_context")
declare function host_get_runtime_context(handle: u64): u64;

/** The embedding app's runtime context, a JSON object (`{}` by default). */
export function getRuntimeContext(): Result<JsonValue> {
  return parseAnswer("host_get_runtime_context", shapeNone(callHost(host_get_runtime_context, "{}"), "{}"));
}

// shape: none
@external("extism:host/user", "host_get_timestamp")
declare function host_get_timestamp(handle: u64): u64;

/** Milliseconds since the epoch (`host_get_timestamp`). */
export function getTimestamp(): Result<i64> {
  const text = shapeNone(callHost(host_get_timestamp, "{}"), "0");
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return failure<i64>("host_get_timestamp: malformed answer: " + text);
  }
  return success<i64>(I64.parseInt(text, 10));
}

// shape: none
@external("extism:host/user", "host_get_now")
declare function host_get_now(handle: u64): u64;

/** Local time, RFC 3339 with seconds and a numeric offset, e.g. `2026-03-02T09:15:00+01:00` (`host_get_now`). */
export function getNow(): Result<string> {
  const text = shapeNone(callHost(host_get_now, "{}"), "");
  if (text.length < 19) return failure<string>("host_get_now: no local time available");
  return success<string>(text);
}

// shape: none
@external("extism:host/user", "host_is_cancelled")
declare function host_is_cancelled(handle: u64): u64;

/** Whether the caller cancelled the operation a token names (`host_is_cancelled`, extended set). */
export function isCancelled(token: string): Result<bool> {
  const text = shapeNone(callHost(host_is_cancelled, request().setString("token", token).stringify()), '{"cancelled":false}');
  const answer = parseAnswer("host_is_cancelled", text);
  if (!answer.ok) return answer.forward<bool>();
  return success<bool>(answer.value.getBool("cancelled"));
}

// shape: P
@external("extism:host/user", "host_plugin_command")
declare function host_plugin_command(handle: u64): u64;

/** Runs another plugin's command (`host_plugin_command`); the value is its `data` (JSON null when absent). */
export function pluginCommand(pluginId: string, command: string, params: JsonValue | null = null): Result<JsonValue> {
  const body = request()
    .setString("plugin_id", pluginId)
    .setString("command", command)
    .set("params", params !== null ? params : JsonValue.ofNull());
  const answer = parseAnswer("host_plugin_command", callHost(host_plugin_command, body.stringify()));
  if (!answer.ok) return answer;
  const error = shapeP(answer.value);
  if (error !== null) return failure<JsonValue>(error);
  const data = answer.value.get("data");
  return success<JsonValue>(data !== null ? data : JsonValue.ofNull());
}

/** A WASI command run for `runWasiModule`; the module bytes live in the plugin's storage under `moduleKey`. */
export class WasiRequest {
  args: Array<string> = new Array<string>();
  stdin: Uint8Array | null = null;
  /** Input files: path → bytes. */
  files: Map<string, Uint8Array> = new Map<string, Uint8Array>();
  /** Paths to read back after the run. */
  outputFiles: Array<string> = new Array<string>();
  constructor(public moduleKey: string) {}
  toJson(): JsonValue {
    const json = request().setString("module_key", this.moduleKey).set("args", JsonValue.ofStrings(this.args));
    const stdin = this.stdin;
    if (stdin !== null) json.setString("stdin", encodeBase64(stdin));
    const paths = this.files.keys();
    if (paths.length > 0) {
      const files = JsonValue.newObject();
      for (let i = 0; i < paths.length; i++) files.setString(paths[i], encodeBase64(this.files.get(paths[i])));
      json.set("files", files);
    }
    if (this.outputFiles.length > 0) json.set("output_files", JsonValue.ofStrings(this.outputFiles));
    return json;
  }
}

/** What a WASI run produced. */
export class WasiResult {
  constructor(
    public exitCode: i32,
    public stdout: Uint8Array,
    public stderr: string,
    /** Output files that exist: path → bytes. */
    public files: Map<string, Uint8Array>,
  ) {}
}

// shape: W
@external("extism:host/user", "host_run_wasi_module")
declare function host_run_wasi_module(handle: u64): u64;

/** Runs a WASI command module from the plugin's storage (`host_run_wasi_module`). */
export function runWasiModule(req: WasiRequest): Result<WasiResult> {
  const answer = parseAnswer("host_run_wasi_module", callHost(host_run_wasi_module, req.toJson().stringify()));
  if (!answer.ok) return answer.forward<WasiResult>();
  const error = shapeW(answer.value);
  if (error !== null) return failure<WasiResult>(error);
  const v = answer.value;
  const stdoutText = v.getString("stdout");
  const stdout = decodeBase64(stdoutText !== null ? stdoutText : "");
  if (!stdout.ok) return failure<WasiResult>("host_run_wasi_module: malformed answer: stdout " + stdout.error);
  const files = new Map<string, Uint8Array>();
  const filesJson = v.get("files");
  if (filesJson !== null && filesJson.isObject) {
    const keys = filesJson.keys();
    for (let i = 0; i < keys.length; i++) {
      const bytes = decodeBase64(filesJson.valueAt(i)!.asString());
      if (bytes.ok) files.set(keys[i], bytes.value);
    }
  }
  const stderr = v.getString("stderr");
  return success<WasiResult>(new WasiResult(<i32>v.getInteger("exit_code"), stdout.value, stderr !== null ? stderr : "", files));
}
