// A small, strict JSON reader and writer (RFC 8259): a tagged value tree, full string escapes including
// \uXXXX and surrogate pairs, exact number text kept from the source, and a depth limit instead of a
// stack overflow. Parsing never traps: errors come back as a Result.
import { Result, failure, success } from "./result";
import { formatNumber } from "./number";

export enum JsonKind {
  Null = 0,
  Bool = 1,
  Number = 2,
  String = 3,
  Array = 4,
  Object = 5,
}

/** Deepest nesting the parser accepts. */
export const JSON_MAX_DEPTH: i32 = 256;

/** One JSON value. Build with the `JsonValue.of…`/`new…` factories; read with `is…`/`as…`/`get…`. */
export class JsonValue {
  kind: JsonKind = JsonKind.Null;
  private flag: bool = false;
  private num: f64 = 0;
  /** The number's exact text (from the source, or an integer's decimal form); null for computed floats. */
  private numText: string | null = null;
  private str: string = "";
  private items: Array<JsonValue> | null = null;
  private keyList: Array<string> | null = null;
  private valueList: Array<JsonValue> | null = null;
  /** UTF-16 offsets of this value in the text it was parsed from; -1 when built in code. */
  start: i32 = -1;
  end: i32 = -1;

  static ofNull(): JsonValue {
    return new JsonValue();
  }
  static ofBool(value: bool): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.Bool;
    v.flag = value;
    return v;
  }
  static ofNumber(value: f64): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.Number;
    v.num = value;
    return v;
  }
  /** An integer, written exactly (also beyond 2^53). */
  static ofInteger(value: i64): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.Number;
    v.num = <f64>value;
    v.numText = value.toString();
    return v;
  }
  static ofString(value: string): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.String;
    v.str = value;
    return v;
  }
  /** A string or null. */
  static ofNullableString(value: string | null): JsonValue {
    return value === null ? JsonValue.ofNull() : JsonValue.ofString(value);
  }
  static newArray(): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.Array;
    v.items = new Array<JsonValue>();
    return v;
  }
  static newObject(): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.Object;
    v.keyList = new Array<string>();
    v.valueList = new Array<JsonValue>();
    return v;
  }
  static ofStrings(values: Array<string>): JsonValue {
    const v = JsonValue.newArray();
    for (let i = 0; i < values.length; i++) v.push(JsonValue.ofString(values[i]));
    return v;
  }
  /** A number parsed from source text; the text is kept so it is written back exactly. */
  static ofNumberText(text: string): JsonValue {
    const v = new JsonValue();
    v.kind = JsonKind.Number;
    v.num = parseFloat(text);
    v.numText = text;
    return v;
  }

  get isNull(): bool {
    return this.kind == JsonKind.Null;
  }
  get isBool(): bool {
    return this.kind == JsonKind.Bool;
  }
  get isNumber(): bool {
    return this.kind == JsonKind.Number;
  }
  get isString(): bool {
    return this.kind == JsonKind.String;
  }
  get isArray(): bool {
    return this.kind == JsonKind.Array;
  }
  get isObject(): bool {
    return this.kind == JsonKind.Object;
  }

  /** The boolean; false for other kinds. */
  asBool(): bool {
    return this.kind == JsonKind.Bool && this.flag;
  }
  /** The number; NaN for other kinds. */
  asNumber(): f64 {
    return this.kind == JsonKind.Number ? this.num : NaN;
  }
  /** The number as an integer (exact for integer literals up to 64 bits); 0 for other kinds. */
  asInteger(): i64 {
    if (this.kind != JsonKind.Number) return 0;
    const text = this.numText;
    if (text !== null && isIntegerText(text)) return I64.parseInt(text, 10);
    const n = this.num;
    return isFinite(n) ? <i64>n : 0;
  }
  /** Whether this is a number with no fractional part. */
  get isInteger(): bool {
    if (this.kind != JsonKind.Number) return false;
    const text = this.numText;
    if (text !== null && isIntegerText(text)) return true;
    return isFinite(this.num) && Math.floor(this.num) == this.num;
  }
  /** The string; "" for other kinds. */
  asString(): string {
    return this.kind == JsonKind.String ? this.str : "";
  }

  /** Elements of an array, members of an object, UTF-16 length of a string; 0 otherwise. */
  get length(): i32 {
    if (this.kind == JsonKind.Array) return this.items!.length;
    if (this.kind == JsonKind.Object) return this.keyList!.length;
    return 0;
  }
  /** Array element, or null when out of range or not an array. */
  at(index: i32): JsonValue | null {
    if (this.kind != JsonKind.Array || index < 0 || index >= this.items!.length) return null;
    return this.items![index];
  }
  /** Appends to an array (no-op on other kinds); returns this for chaining. */
  push(value: JsonValue): JsonValue {
    if (this.kind == JsonKind.Array) this.items!.push(value);
    return this;
  }

  /** Object keys in order (an empty list for other kinds). */
  keys(): Array<string> {
    return this.kind == JsonKind.Object ? this.keyList!.slice(0) : new Array<string>();
  }
  /** Object member value at a key position. */
  valueAt(index: i32): JsonValue | null {
    if (this.kind != JsonKind.Object || index < 0 || index >= this.valueList!.length) return null;
    return this.valueList![index];
  }
  /** Object member, or null when absent or not an object. A duplicated key reads as its last value. */
  get(key: string): JsonValue | null {
    if (this.kind != JsonKind.Object) return null;
    const keys = this.keyList!;
    for (let i = keys.length - 1; i >= 0; i--) if (keys[i] == key) return this.valueList![i];
    return null;
  }
  has(key: string): bool {
    return this.get(key) !== null;
  }
  /** Sets an object member (replacing an existing key); no-op on other kinds; returns this. */
  set(key: string, value: JsonValue): JsonValue {
    if (this.kind != JsonKind.Object) return this;
    const keys = this.keyList!;
    for (let i = keys.length - 1; i >= 0; i--) {
      if (keys[i] == key) {
        this.valueList![i] = value;
        return this;
      }
    }
    keys.push(key);
    this.valueList!.push(value);
    return this;
  }
  setString(key: string, value: string): JsonValue {
    return this.set(key, JsonValue.ofString(value));
  }
  setInteger(key: string, value: i64): JsonValue {
    return this.set(key, JsonValue.ofInteger(value));
  }
  setNumber(key: string, value: f64): JsonValue {
    return this.set(key, JsonValue.ofNumber(value));
  }
  setBool(key: string, value: bool): JsonValue {
    return this.set(key, JsonValue.ofBool(value));
  }
  /** Removes an object member; returns this. */
  remove(key: string): JsonValue {
    if (this.kind != JsonKind.Object) return this;
    const keys = this.keyList!;
    for (let i = keys.length - 1; i >= 0; i--) {
      if (keys[i] == key) {
        keys.splice(i, 1);
        this.valueList!.splice(i, 1);
      }
    }
    return this;
  }

  /** A member that is a string, or null. */
  getString(key: string): string | null {
    const v = this.get(key);
    return v !== null && v.isString ? v.asString() : null;
  }
  /** A member that is a number, or null. */
  getNumberValue(key: string): JsonValue | null {
    const v = this.get(key);
    return v !== null && v.isNumber ? v : null;
  }
  /** A member that is a boolean; `fallback` when absent or another kind. */
  getBool(key: string, fallback: bool = false): bool {
    const v = this.get(key);
    return v !== null && v.isBool ? v.asBool() : fallback;
  }
  /** A member that is an integer number; `fallback` when absent or another kind. */
  getInteger(key: string, fallback: i64 = 0): i64 {
    const v = this.get(key);
    return v !== null && v.isNumber ? v.asInteger() : fallback;
  }

  /** The number as JSON text: the source text when parsed, else the shortest round-trip form. */
  numberText(): string {
    const text = this.numText;
    return text !== null ? text : formatNumber(this.num);
  }

  /** Appends an object member without looking for an earlier one (used by the parser). */
  appendMember(key: string, value: JsonValue): void {
    if (this.kind != JsonKind.Object) return;
    this.keyList!.push(key);
    this.valueList!.push(value);
  }

  /** Compact JSON text. */
  stringify(): string {
    const parts = new Array<string>();
    writeValue(this, parts);
    return parts.join("");
  }
  toString(): string {
    return this.stringify();
  }
}

function isIntegerText(text: string): bool {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!(c >= 0x30 && c <= 0x39) && !(i == 0 && c == 0x2d)) return false;
  }
  // Must fit in i64: at most 18 digits is always safe; longer falls back to the float.
  return text.length <= 19;
}

// ---- writing ----

/** A string as a JSON string literal, with the escapes JSON requires. */
export function quoteJson(text: string): string {
  const parts = new Array<string>();
  writeString(text, parts);
  return parts.join("");
}

const HEX = "0123456789abcdef";

function writeString(text: string, parts: Array<string>): void {
  parts.push('"');
  let from = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    let escape: string | null = null;
    if (c == 0x22) escape = '\\"';
    else if (c == 0x5c) escape = "\\\\";
    else if (c == 0x0a) escape = "\\n";
    else if (c == 0x0d) escape = "\\r";
    else if (c == 0x09) escape = "\\t";
    else if (c == 0x08) escape = "\\b";
    else if (c == 0x0c) escape = "\\f";
    else if (c < 0x20 || (c >= 0xd800 && c < 0xe000 && !isPairAt(text, i))) {
      // Control characters, and lone surrogates (kept as escapes so the text stays valid UTF-8).
      escape = "\\u" + HEX.charAt((c >> 12) & 15) + HEX.charAt((c >> 8) & 15) + HEX.charAt((c >> 4) & 15) + HEX.charAt(c & 15);
    } else if (c >= 0xd800 && c < 0xdc00) {
      i++; // a valid pair: copy both units as they are
      continue;
    }
    if (escape !== null) {
      if (i > from) parts.push(text.substring(from, i));
      parts.push(escape);
      from = i + 1;
    }
  }
  if (from == 0) parts.push(text);
  else if (from < n) parts.push(text.substring(from, n));
  parts.push('"');
}

function isPairAt(text: string, i: i32): bool {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c < 0xdc00) {
    if (i + 1 >= text.length) return false;
    const d = text.charCodeAt(i + 1);
    return d >= 0xdc00 && d < 0xe000;
  }
  return false; // a low surrogate reached on its own is lone
}

function writeValue(value: JsonValue, parts: Array<string>): void {
  switch (value.kind) {
    case JsonKind.Null:
      parts.push("null");
      break;
    case JsonKind.Bool:
      parts.push(value.asBool() ? "true" : "false");
      break;
    case JsonKind.Number:
      parts.push(numberText(value));
      break;
    case JsonKind.String:
      writeString(value.asString(), parts);
      break;
    case JsonKind.Array: {
      parts.push("[");
      const n = value.length;
      for (let i = 0; i < n; i++) {
        if (i > 0) parts.push(",");
        writeValue(value.at(i)!, parts);
      }
      parts.push("]");
      break;
    }
    case JsonKind.Object: {
      parts.push("{");
      const keys = value.keys();
      for (let i = 0; i < keys.length; i++) {
        if (i > 0) parts.push(",");
        writeString(keys[i], parts);
        parts.push(":");
        writeValue(value.valueAt(i)!, parts);
      }
      parts.push("}");
      break;
    }
  }
}

function numberText(value: JsonValue): string {
  return value.numberText();
}

// ---- reading ----

/** Parses JSON text into a value tree. Never traps; a failure's error says what and where. */
export function parseJson(text: string): Result<JsonValue> {
  const parser = new JsonParser(text);
  parser.skipSpace();
  const value = parser.parseValue(0);
  if (value === null) return failure<JsonValue>(parser.error);
  parser.skipSpace();
  if (parser.pos < text.length) return failure<JsonValue>(parser.describe("unexpected text after the JSON value"));
  return success<JsonValue>(value);
}

class JsonParser {
  pos: i32 = 0;
  error: string = "";
  constructor(public text: string) {}

  describe(what: string): string {
    return what + " at offset " + this.pos.toString();
  }

  fail(what: string): JsonValue | null {
    if (this.error.length == 0) this.error = this.describe(what);
    return null;
  }

  skipSpace(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d) this.pos++;
      else break;
    }
  }

  parseValue(depth: i32): JsonValue | null {
    const text = this.text;
    if (this.pos >= text.length) return this.fail("unexpected end of input");
    if (depth > JSON_MAX_DEPTH) return this.fail("nesting deeper than " + JSON_MAX_DEPTH.toString());
    const start = this.pos;
    const c = text.charCodeAt(this.pos);
    let value: JsonValue | null = null;
    if (c == 0x7b) value = this.parseObject(depth);
    else if (c == 0x5b) value = this.parseArray(depth);
    else if (c == 0x22) {
      const s = this.parseString();
      if (s !== null) value = JsonValue.ofString(s);
    } else if (c == 0x2d || (c >= 0x30 && c <= 0x39)) value = this.parseNumber();
    else if (this.literal("true")) value = JsonValue.ofBool(true);
    else if (this.literal("false")) value = JsonValue.ofBool(false);
    else if (this.literal("null")) value = JsonValue.ofNull();
    else return this.fail("unexpected character '" + text.charAt(this.pos) + "'");
    if (value !== null) {
      value.start = start;
      value.end = this.pos;
    }
    return value;
  }

  literal(word: string): bool {
    const text = this.text;
    if (this.pos + word.length > text.length) return false;
    for (let i = 0; i < word.length; i++) if (text.charCodeAt(this.pos + i) != word.charCodeAt(i)) return false;
    this.pos += word.length;
    return true;
  }

  parseObject(depth: i32): JsonValue | null {
    const text = this.text;
    const object = JsonValue.newObject();
    this.pos++; // {
    this.skipSpace();
    if (this.pos < text.length && text.charCodeAt(this.pos) == 0x7d) {
      this.pos++;
      return object;
    }
    while (true) {
      this.skipSpace();
      if (this.pos >= text.length) return this.fail("unexpected end of input in an object");
      if (text.charCodeAt(this.pos) != 0x22) return this.fail("expected a string key");
      const key = this.parseString();
      if (key === null) return null;
      this.skipSpace();
      if (this.pos >= text.length || text.charCodeAt(this.pos) != 0x3a) return this.fail("expected ':'");
      this.pos++;
      this.skipSpace();
      const member = this.parseValue(depth + 1);
      if (member === null) return null;
      object.appendMember(key, member);
      this.skipSpace();
      if (this.pos >= text.length) return this.fail("unexpected end of input in an object");
      const c = text.charCodeAt(this.pos);
      this.pos++;
      if (c == 0x7d) return object;
      if (c != 0x2c) {
        this.pos--;
        return this.fail("expected ',' or '}'");
      }
    }
  }

  parseArray(depth: i32): JsonValue | null {
    const text = this.text;
    const array = JsonValue.newArray();
    this.pos++; // [
    this.skipSpace();
    if (this.pos < text.length && text.charCodeAt(this.pos) == 0x5d) {
      this.pos++;
      return array;
    }
    while (true) {
      this.skipSpace();
      const item = this.parseValue(depth + 1);
      if (item === null) return null;
      array.push(item);
      this.skipSpace();
      if (this.pos >= text.length) return this.fail("unexpected end of input in an array");
      const c = text.charCodeAt(this.pos);
      this.pos++;
      if (c == 0x5d) return array;
      if (c != 0x2c) {
        this.pos--;
        return this.fail("expected ',' or ']'");
      }
    }
  }

  parseNumber(): JsonValue | null {
    const text = this.text;
    const start = this.pos;
    if (text.charCodeAt(this.pos) == 0x2d) this.pos++;
    if (this.pos >= text.length) return this.fail("incomplete number");
    let c = text.charCodeAt(this.pos);
    if (c == 0x30) this.pos++;
    else if (c >= 0x31 && c <= 0x39) this.digits();
    else return this.fail("invalid number");
    if (this.pos < text.length && text.charCodeAt(this.pos) == 0x2e) {
      this.pos++;
      if (this.digits() == 0) return this.fail("expected a digit after '.'");
    }
    if (this.pos < text.length) {
      c = text.charCodeAt(this.pos);
      if (c == 0x65 || c == 0x45) {
        this.pos++;
        if (this.pos < text.length) {
          c = text.charCodeAt(this.pos);
          if (c == 0x2b || c == 0x2d) this.pos++;
        }
        if (this.digits() == 0) return this.fail("expected a digit in the exponent");
      }
    }
    return JsonValue.ofNumberText(text.substring(start, this.pos));
  }

  digits(): i32 {
    const text = this.text;
    const from = this.pos;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c < 0x30 || c > 0x39) break;
      this.pos++;
    }
    return this.pos - from;
  }

  /** Parses a string literal at pos (which is on the opening quote); null on error. */
  parseString(): string | null {
    const text = this.text;
    this.pos++; // opening quote
    const parts = new Array<string>();
    let from = this.pos;
    while (true) {
      if (this.pos >= text.length) {
        this.fail("unterminated string");
        return null;
      }
      const c = text.charCodeAt(this.pos);
      if (c == 0x22) {
        const tail = text.substring(from, this.pos);
        this.pos++;
        if (parts.length == 0) return tail;
        parts.push(tail);
        return parts.join("");
      }
      if (c < 0x20) {
        this.fail("control character in a string");
        return null;
      }
      if (c != 0x5c) {
        this.pos++;
        continue;
      }
      if (this.pos > from) parts.push(text.substring(from, this.pos));
      this.pos++; // backslash
      if (this.pos >= text.length) {
        this.fail("unterminated escape");
        return null;
      }
      const e = text.charCodeAt(this.pos);
      this.pos++;
      if (e == 0x22) parts.push('"');
      else if (e == 0x5c) parts.push("\\");
      else if (e == 0x2f) parts.push("/");
      else if (e == 0x62) parts.push("\b");
      else if (e == 0x66) parts.push("\f");
      else if (e == 0x6e) parts.push("\n");
      else if (e == 0x72) parts.push("\r");
      else if (e == 0x74) parts.push("\t");
      else if (e == 0x75) {
        const unit = this.hex4();
        if (unit < 0) return null;
        // A high surrogate followed by an escaped low surrogate is one code point; String.fromCharCode of
        // each unit in order builds the same UTF-16 pair, and a lone one is kept as is.
        parts.push(String.fromCharCode(unit));
      } else {
        this.pos--;
        this.fail("invalid escape '\\" + text.charAt(this.pos) + "'");
        return null;
      }
      from = this.pos;
    }
  }

  hex4(): i32 {
    const text = this.text;
    if (this.pos + 4 > text.length) {
      this.fail("incomplete \\u escape");
      return -1;
    }
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = text.charCodeAt(this.pos + i);
      let d = -1;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
      if (d < 0) {
        this.fail("invalid \\u escape");
        return -1;
      }
      v = (v << 4) | d;
    }
    this.pos += 4;
    return v;
  }
}
