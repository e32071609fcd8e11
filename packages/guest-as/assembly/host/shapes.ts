// Reading host answers by failure shape (packages/protocol/PROTOCOL.md §4.2). Each wrapper in this folder
// is marked `// shape: <letter>` above its import and reads its answer with the matching `shape<letter>`
// helper; test/guest-as-catalogue.test.ts checks both against the catalogue.
import { JsonValue, parseJson } from "../json";
import { Result, failure, success } from "../result";
import { decodeBase64 } from "../base64";

/** Parses a JSON answer; a malformed one is a failure naming the function. */
export function parseAnswer(name: string, text: string): Result<JsonValue> {
  const parsed = parseJson(text);
  if (!parsed.ok) return failure<JsonValue>(name + ": malformed answer: " + parsed.error);
  return parsed;
}

function errorMember(answer: JsonValue): string | null {
  const error = answer.get("error");
  if (error === null) return null;
  if (error.isString && error.asString().length > 0) return error.asString();
  return error.isNull ? null : error.stringify();
}

/**
 * E: `{"error": "<message>"}`. For a function whose success is raw text (`rawSuccess`), only an object
 * whose sole member is a string `error` counts, so a file that merely contains JSON is not mistaken.
 */
export function shapeE(answer: JsonValue, rawSuccess: bool = false): string | null {
  if (!answer.isObject) return null;
  if (rawSuccess && (answer.length != 1 || answer.getString("error") === null)) return null;
  return errorMember(answer);
}

/** S: a non-empty string is the failure message; "" is success. */
export function shapeS(answer: string): string | null {
  return answer.length > 0 ? answer : null;
}

/** Q: quiet. True when the answer is the function's "absent" value (`""`, or its not-found shape). */
export function shapeQ(answer: string, quiet: string): bool {
  return answer.length == 0 || answer == quiet;
}

/** H: `{status: 0, headers: {}, body: "<message>", error: "<message>"}`. */
export function shapeH(answer: JsonValue): string | null {
  return answer.isObject ? errorMember(answer) : null;
}

/** P: `{success: false, error}`. */
export function shapeP(answer: JsonValue): string | null {
  if (!answer.isObject) return null;
  const ok = answer.get("success");
  if (ok !== null && ok.isBool && ok.asBool()) return null;
  const error = errorMember(answer);
  return error !== null ? error : "command failed";
}

/** W: `{exit_code: -1, stdout: "", stderr: "<message>", error}`. */
export function shapeW(answer: JsonValue): string | null {
  return answer.isObject ? errorMember(answer) : null;
}

/** O: `{ok: false, error}`. */
export function shapeO(answer: JsonValue): string | null {
  if (!answer.isObject) return null;
  const ok = answer.get("ok");
  if (ok !== null && ok.isBool && ok.asBool()) return null;
  const error = errorMember(answer);
  return error !== null ? error : "request failed";
}

/** none: no failure shape; an empty answer reads as the function's neutral value. */
export function shapeNone(answer: string, neutral: string): string {
  return answer.length == 0 ? neutral : answer;
}

// ---- small decoding helpers shared by the wrappers ----

/** A fresh JSON object, for building requests. */
export function request(): JsonValue {
  return JsonValue.newObject();
}

/** An answer that must be a JSON array of strings. */
export function stringList(name: string, answer: JsonValue): Result<Array<string>> {
  if (!answer.isArray) return failure<Array<string>>(name + ": malformed answer: expected an array");
  const list = new Array<string>();
  for (let i = 0; i < answer.length; i++) {
    const item = answer.at(i)!;
    if (!item.isString) return failure<Array<string>>(name + ": malformed answer: expected strings");
    list.push(item.asString());
  }
  return success<Array<string>>(list);
}

/** The base64 `data` member of an answer, decoded. */
export function dataBytes(name: string, answer: JsonValue, member: string = "data"): Result<Uint8Array> {
  const data = answer.getString(member);
  if (data === null) return failure<Uint8Array>(name + ": malformed answer: no " + member);
  const bytes = decodeBase64(data);
  if (!bytes.ok) return failure<Uint8Array>(name + ": malformed answer: " + bytes.error);
  return bytes;
}

/** A JSON object of string values as a Map. */
export function stringMap(value: JsonValue | null): Map<string, string> {
  const map = new Map<string, string>();
  if (value === null || !value.isObject) return map;
  const keys = value.keys();
  for (let i = 0; i < keys.length; i++) {
    const v = value.valueAt(i)!;
    map.set(keys[i], v.isString ? v.asString() : v.stringify());
  }
  return map;
}

/** A Map of strings as a JSON object. */
export function mapToJson(map: Map<string, string>): JsonValue {
  const object = JsonValue.newObject();
  const keys = map.keys();
  for (let i = 0; i < keys.length; i++) object.setString(keys[i], map.get(keys[i]));
  return object;
}
