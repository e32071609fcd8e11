/*
 * Plinth golden protocol guest, freestanding C (no libc, no malloc).
 *
 * A reference for C plugin authors: a complete Plinth protocol v1 guest in one file.
 *   manifest        GuestManifest JSON
 *   handle_command  CommandRequest -> CommandResponse (ping, echo, greet, time)
 *   init, shutdown  accept anything, do nothing
 *   on_event        logs the event type through host_log (level "debug")
 *   set_config      stores the config object verbatim in a static buffer, answers ""
 *   get_config      answers the stored config, or {} when there is none
 *
 * Build (@plinth/guests' guest builder does exactly this):
 *   clang --target=wasm32 -nostdlib -mbulk-memory -O2 -Wl,--no-entry -Wl,--strip-all \
 *         -Wl,-z,stack-size=65536 -Wl,--max-memory=1048576 -Wl,--export=<each export> -o plugin.wasm plugin.c
 *
 * Things worth knowing (Extism JS SDK rc13):
 *   - Data crosses the boundary in Extism "blocks" addressed by 64-bit handles, never as pointers into
 *     this module's memory. We copy the input into a static buffer, build the output in another one, and
 *     copy it into a block allocated with EXACTLY the output size (the SDK returns the whole block).
 *   - Never trap: a trap loses the error message. Every failure here is either a JSON response
 *     ({"success":false,...}) or error_set + return 1.
 *   - Only extism:host/env and extism:host/user imports are allowed (no env.*), so no libc symbols:
 *     -mbulk-memory turns __builtin_memcpy into memory.copy instead of a call to memcpy.
 */
#include <stdint.h>

#define IMPORT(mod, name) __attribute__((import_module(mod), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

typedef uint64_t Handle; /* an Extism block handle; 0 means "none" */

/* ---- Extism kernel (extism:host/env). The u8 functions take/return i32 on the wasm side. ---- */
IMPORT("extism:host/env", "input_length")   uint64_t extism_input_length(void);
IMPORT("extism:host/env", "input_load_u8")  uint8_t  extism_input_load_u8(uint64_t offset);
IMPORT("extism:host/env", "input_load_u64") uint64_t extism_input_load_u64(uint64_t offset);
IMPORT("extism:host/env", "alloc")          Handle   extism_alloc(uint64_t length);
IMPORT("extism:host/env", "free")           void     extism_free(Handle h);
IMPORT("extism:host/env", "length")         uint64_t extism_length(Handle h);
IMPORT("extism:host/env", "store_u8")       void     extism_store_u8(Handle h, uint8_t v);
IMPORT("extism:host/env", "store_u64")      void     extism_store_u64(Handle h, uint64_t v);
IMPORT("extism:host/env", "load_u8")        uint8_t  extism_load_u8(Handle h);
IMPORT("extism:host/env", "load_u64")       uint64_t extism_load_u64(Handle h);
IMPORT("extism:host/env", "output_set")     void     extism_output_set(Handle h, uint64_t length);
IMPORT("extism:host/env", "error_set")      void     extism_error_set(Handle h);

/* ---- Plinth host functions (extism:host/user): string handle in, string handle out. ---- */
IMPORT("extism:host/user", "host_log")           Handle host_log(Handle h);
IMPORT("extism:host/user", "host_get_timestamp") Handle host_get_timestamp(Handle h);

/* ---- Static buffers (the module has no allocator) ---- */
#define IN_MAX (256u * 1024u)            /* largest input we accept */
#define OUT_MAX (IN_MAX + 1024u)         /* echo output = params text + a small envelope */
#define CONFIG_MAX (64u * 1024u)         /* largest config set_config keeps */

static uint8_t in[IN_MAX];
static uint32_t in_n;
static uint8_t out[OUT_MAX];
static uint32_t out_n;
static int out_overflow;
static uint8_t config[CONFIG_MAX];
static uint32_t config_n; /* 0 = no config stored: get_config answers {} */

/* ========================================================================================= */
/* Moving bytes between Extism blocks and linear memory                                     */
/* ========================================================================================= */

/* Copies the export's input into `in`. Returns 0 if it does not fit. */
static int read_input(void) {
  uint64_t n = extism_input_length();
  if (n > IN_MAX) return 0;
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w = extism_input_load_u64(i);
    __builtin_memcpy(in + i, &w, 8);
  }
  for (; i < n; i++) in[i] = extism_input_load_u8(i);
  in_n = (uint32_t)n;
  return 1;
}

/* Allocates a block of exactly n bytes holding src. */
static Handle to_block(const uint8_t *src, uint32_t n) {
  Handle h = extism_alloc(n);
  uint32_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    __builtin_memcpy(&w, src + i, 8);
    extism_store_u64(h + i, w);
  }
  for (; i < n; i++) extism_store_u8(h + i, src[i]);
  return h;
}

/* Copies at most max bytes of block h into dst; returns the block's full length. */
static uint64_t from_block(uint8_t *dst, uint32_t max, Handle h) {
  if (h == 0) return 0;
  uint64_t n = extism_length(h);
  for (uint64_t i = 0; i < n && i < max; i++) dst[i] = extism_load_u8(h + i);
  return n;
}

static uint32_t cstr_len(const char *s) {
  uint32_t n = 0;
  while (s[n]) n++;
  return n;
}

/* Sets the export's output (nothing is set for an empty output: the host then sees ""). */
static void set_output(const uint8_t *p, uint32_t n) {
  if (n > 0) extism_output_set(to_block(p, n), n);
}

/* Fails the export with a message: the host's call rejects with it. Return its result (1). */
static int32_t fail(const char *message) {
  extism_error_set(to_block((const uint8_t *)message, cstr_len(message)));
  return 1;
}

/* ---- Output builder over `out` ---- */
static void put_bytes(const uint8_t *p, uint32_t n) {
  if (out_n + n > OUT_MAX) { out_overflow = 1; return; }
  __builtin_memcpy(out + out_n, p, n);
  out_n += n;
}
static void put(const char *s) { put_bytes((const uint8_t *)s, cstr_len(s)); }

/* ========================================================================================= */
/* A small JSON scanner                                                                     */
/*                                                                                          */
/* It does not build a tree. It validates JSON text (RFC 8259) and hands back Spans: the    */
/* exact raw text of a value. That is all a protocol guest needs: find a few keys of an     */
/* object, compare a string with a literal, and copy a value's text verbatim (echo).        */
/* ========================================================================================= */

typedef struct {
  const uint8_t *p; /* start of the raw JSON text of one value (strings include their quotes) */
  uint32_t n;       /* its length in bytes; n == 0 means "absent" */
} Span;

typedef struct {
  const uint8_t *p, *end; /* cursor and end of the text being scanned */
  const char *err;        /* first error, as a short static message; 0 while all is well */
} Json;

#define JSON_MAX_DEPTH 64 /* nesting limit, so hostile input cannot exhaust the 64 KiB stack */

static int json_fail(Json *j, const char *why) {
  if (!j->err) j->err = why;
  return 0;
}

static void json_ws(Json *j) {
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static int hex_value(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* "..." : no raw control characters; escapes are \" \\ \/ \b \f \n \r \t \uXXXX.
 * (UTF-8 validity of the bytes is checked once for the whole input, see utf8_valid.) */
static int json_string(Json *j) {
  j->p++; /* opening quote */
  while (j->p < j->end) {
    uint8_t c = *j->p++;
    if (c == '"') return 1;
    if (c < 0x20) return json_fail(j, "control character in string");
    if (c != '\\') continue;
    if (j->p >= j->end) break;
    c = *j->p++;
    if (c == 'u') {
      for (int k = 0; k < 4; k++, j->p++)
        if (j->p >= j->end || hex_value(*j->p) < 0) return json_fail(j, "bad unicode escape in string");
    } else if (c != '"' && c != '\\' && c != '/' && c != 'b' && c != 'f' && c != 'n' && c != 'r' && c != 't') {
      return json_fail(j, "bad escape in string");
    }
  }
  return json_fail(j, "unterminated string");
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int json_number(Json *j) {
  if (j->p < j->end && *j->p == '-') j->p++;
  if (j->p < j->end && *j->p == '0') j->p++;
  else if (j->p < j->end && is_digit(*j->p)) while (j->p < j->end && is_digit(*j->p)) j->p++;
  else return json_fail(j, "bad number");
  if (j->p < j->end && *j->p == '.') {
    j->p++;
    if (j->p >= j->end || !is_digit(*j->p)) return json_fail(j, "bad number");
    while (j->p < j->end && is_digit(*j->p)) j->p++;
  }
  if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
    j->p++;
    if (j->p < j->end && (*j->p == '+' || *j->p == '-')) j->p++;
    if (j->p >= j->end || !is_digit(*j->p)) return json_fail(j, "bad number");
    while (j->p < j->end && is_digit(*j->p)) j->p++;
  }
  return 1;
}

static int json_literal(Json *j, const char *word) {
  uint32_t n = cstr_len(word);
  if ((uint32_t)(j->end - j->p) < n) return json_fail(j, "unexpected token");
  for (uint32_t i = 0; i < n; i++)
    if (j->p[i] != (uint8_t)word[i]) return json_fail(j, "unexpected token");
  j->p += n;
  return 1;
}

static int json_value(Json *j, int depth);

/* Scans the object at j->p. For each of the nkeys keys, vals[i] receives the raw text of that key's
 * value (the last one wins if a key repeats, as in JavaScript's JSON.parse); other members are only
 * validated. Pass nkeys = 0 to just skip an object. */
static int json_object(Json *j, int depth, const char *const *keys, Span *vals, int nkeys);

/* [ value, ... ] */
static int json_array(Json *j, int depth) {
  j->p++; /* [ */
  json_ws(j);
  if (j->p < j->end && *j->p == ']') { j->p++; return 1; }
  for (;;) {
    if (!json_value(j, depth + 1)) return 0;
    json_ws(j);
    if (j->p >= j->end) return json_fail(j, "unterminated array");
    if (*j->p == ']') { j->p++; return 1; }
    if (*j->p++ != ',') return json_fail(j, "expected , or ] in array");
  }
}

/* Skips exactly one value (with the whitespace before it), validating it. */
static int json_value(Json *j, int depth) {
  if (depth > JSON_MAX_DEPTH) return json_fail(j, "nested too deeply");
  json_ws(j);
  if (j->p >= j->end) return json_fail(j, "unexpected end of input");
  switch (*j->p) {
    case '"': return json_string(j);
    case '{': return json_object(j, depth, 0, 0, 0);
    case '[': return json_array(j, depth);
    case 't': return json_literal(j, "true");
    case 'f': return json_literal(j, "false");
    case 'n': return json_literal(j, "null");
    default:
      if (*j->p == '-' || is_digit(*j->p)) return json_number(j);
      return json_fail(j, "unexpected character");
  }
}

/* Does the JSON string `s` (raw text, quotes included) decode to the ASCII literal `lit`?
 * Escapes are decoded, so "p\u0069ng" equals "ping". `s` must already be validated. */
static int json_str_eq(Span s, const char *lit) {
  const uint8_t *p = s.p + 1, *end = s.p + s.n - 1;
  while (p < end) {
    uint32_t c = *p++;
    if (c == '\\') {
      c = *p++;
      switch (c) {
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        case 'u':
          c = (uint32_t)(hex_value(p[0]) << 12 | hex_value(p[1]) << 8 | hex_value(p[2]) << 4 | hex_value(p[3]));
          p += 4;
          if (c >= 0x80) return 0; /* the literal is ASCII */
          break;
        default: break; /* \" \\ \/ stand for themselves */
      }
    }
    if (*lit == 0 || c != (uint8_t)*lit++) return 0;
  }
  return *lit == 0;
}

static int json_object(Json *j, int depth, const char *const *keys, Span *vals, int nkeys) {
  j->p++; /* { */
  json_ws(j);
  if (j->p < j->end && *j->p == '}') { j->p++; return 1; }
  for (;;) {
    json_ws(j);
    if (j->p >= j->end || *j->p != '"') return json_fail(j, "expected a string key in object");
    Span key = { j->p, 0 };
    if (!json_string(j)) return 0;
    key.n = (uint32_t)(j->p - key.p);
    json_ws(j);
    if (j->p >= j->end || *j->p++ != ':') return json_fail(j, "expected : after object key");
    json_ws(j);
    const uint8_t *start = j->p;
    if (!json_value(j, depth + 1)) return 0;
    for (int i = 0; i < nkeys; i++)
      if (json_str_eq(key, keys[i])) { vals[i].p = start; vals[i].n = (uint32_t)(j->p - start); }
    json_ws(j);
    if (j->p >= j->end) return json_fail(j, "unterminated object");
    if (*j->p == '}') { j->p++; return 1; }
    if (*j->p++ != ',') return json_fail(j, "expected , or } in object");
  }
}

/* Whole-text entry point: `text` must be exactly one JSON object (whitespace around it is fine).
 * Fills vals[] for the wanted keys, as json_object does. Returns 0 and sets j->err otherwise. */
static int json_parse_object(Json *j, const uint8_t *text, uint32_t n, const char *const *keys, Span *vals, int nkeys) {
  j->p = text;
  j->end = text + n;
  j->err = 0;
  for (int i = 0; i < nkeys; i++) { vals[i].p = 0; vals[i].n = 0; }
  json_ws(j);
  if (j->p >= j->end || *j->p != '{') return json_fail(j, "expected a JSON object");
  if (!json_object(j, 0, keys, vals, nkeys)) return 0;
  json_ws(j);
  if (j->p != j->end) return json_fail(j, "trailing characters after the object");
  return 1;
}

/* Validates UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. Outputs that copy
 * input text (echo, greet) then stay valid UTF-8 too. */
static int utf8_valid(const uint8_t *s, uint32_t n) {
  static const uint32_t min_for_len[5] = { 0, 0, 0x80, 0x800, 0x10000 };
  uint32_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    uint32_t len, cp;
    if (c < 0x80) { i++; continue; }
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return 0;
    if (n - i < len) return 0;
    for (uint32_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return 0;
      cp = cp << 6 | (s[i + k] & 0x3F);
    }
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    i += len;
  }
  return 1;
}

static int is_string(Span v) { return v.n >= 2 && v.p[0] == '"'; }

/* Writes a JSON string's contents (raw, still escaped: valid inside another JSON string). */
static void put_string_body(Span s) { put_bytes(s.p + 1, s.n - 2); }

/* ========================================================================================= */
/* Exports                                                                                  */
/* ========================================================================================= */

static const char MANIFEST[] =
  "{\"protocol_version\":1,"
  "\"id\":\"plinth-golden.c\","
  "\"name\":\"Plinth golden guest (C)\","
  "\"version\":\"1.0.0\","
  "\"description\":\"Reference protocol guest in freestanding C: answers the shared conformance table "
  "(ping, echo, greet, time), keeps its config and logs host events.\","
  "\"capabilities\":[\"custom_commands\"],"
  "\"commands\":[\"ping\",\"echo\",\"greet\",\"time\"],"
  "\"cli\":["
  "{\"name\":\"ping\",\"about\":\"Answer pong\",\"command_name\":\"ping\",\"args\":[]},"
  "{\"name\":\"echo\",\"about\":\"Answer the params as sent\",\"command_name\":\"echo\",\"args\":[{\"name\":\"text\",\"help\":\"Text to send back (every other param is sent back too)\",\"value_type\":\"String\"}]},"
  "{\"name\":\"greet\",\"about\":\"Greet someone, and log it\",\"command_name\":\"greet\",\"args\":[{\"name\":\"name\",\"help\":\"Who to greet\",\"value_type\":\"String\",\"required\":true}]},"
  "{\"name\":\"time\",\"about\":\"The host's clock, in milliseconds since 1970\",\"command_name\":\"time\",\"args\":[]}"
  "]}";

EXPORT("manifest") int32_t manifest(void) {
  set_output((const uint8_t *)MANIFEST, sizeof MANIFEST - 1);
  return 0;
}

EXPORT("init") int32_t init(void) { return 0; }         /* InitContext is not needed */
EXPORT("shutdown") int32_t shutdown(void) { return 0; } /* nothing to release */

/* Calls a host function with a string; returns its reply handle (0 = none). Frees the input block. */
static Handle call_host(Handle (*fn)(Handle), const uint8_t *p, uint32_t n) {
  Handle arg = to_block(p, n);
  Handle reply = fn(arg);
  extism_free(arg);
  return reply;
}

/* host_log {"level": <level>, "message": <prefix><body of the JSON string s>} */
static void log_with(const char *level, const char *prefix, Span s) {
  out_n = 0;
  out_overflow = 0;
  put("{\"level\":\"");
  put(level);
  put("\",\"message\":\"");
  put(prefix);
  put_string_body(s);
  put("\"}");
  if (out_overflow) return;
  Handle reply = call_host(host_log, out, out_n);
  if (reply) extism_free(reply);
}

/* GuestEvent {event_type, payload}: log the type; anything else is accepted silently. */
EXPORT("on_event") int32_t on_event(void) {
  static const char *const keys[] = { "event_type" };
  Span vals[1];
  Json j;
  if (read_input() && utf8_valid(in, in_n) && json_parse_object(&j, in, in_n, keys, vals, 1) && is_string(vals[0]))
    log_with("debug", "event ", vals[0]);
  return 0;
}

/* ---- handle_command ---- */

/* {"success":false,"error":"<e1><e2>","error_code":"<code>"}; e1, e2 must be JSON-string-safe. */
static void respond_error(const char *e1, const uint8_t *e2, uint32_t e2n, const char *code) {
  out_n = 0;
  out_overflow = 0;
  put("{\"success\":false,\"error\":\"");
  put(e1);
  put_bytes(e2, e2n);
  put("\",\"error_code\":\"");
  put(code);
  put("\"}");
}

static void invalid_request(const char *why) {
  respond_error("invalid request: ", (const uint8_t *)why, cstr_len(why), "invalid_request");
}

/* Starts {"success":true,"data": ; the caller adds the data and closes with "}". */
static void respond_ok(void) {
  out_n = 0;
  out_overflow = 0;
  put("{\"success\":true,\"data\":");
}

static void cmd_echo(Span params) {
  respond_ok();
  if (params.n == 0) put("null");
  else put_bytes(params.p, params.n);
  put("}");
}

static void cmd_greet(Span params) {
  static const char *const keys[] = { "name" };
  Span name[1] = { { 0, 0 } };
  Json j;
  /* params was validated with the request; this only looks for "name" in it. */
  if (params.n == 0 || params.p[0] != '{' || !json_parse_object(&j, params.p, params.n, keys, name, 1) ||
      !is_string(name[0])) {
    respond_error("greet: params.name is required", 0, 0, "invalid_params");
    return;
  }
  log_with("info", "greeting ", name[0]);
  respond_ok();
  put("\"Hello, ");
  put_string_body(name[0]);
  put("!\"}");
}

static void cmd_time(void) {
  static const uint8_t empty_object[] = "{}"; /* the input is ignored by the host */
  uint8_t digits[24];
  Handle reply = call_host(host_get_timestamp, empty_object, 2);
  uint64_t n = from_block(digits, sizeof digits, reply);
  if (reply) extism_free(reply);
  int ok = n > 0 && n <= 20; /* a u64 has at most 20 decimal digits */
  for (uint64_t i = 0; ok && i < n; i++) ok = is_digit(digits[i]);
  if (!ok) {
    respond_error("time: host_get_timestamp did not return a timestamp", 0, 0, "host_error");
    return;
  }
  respond_ok();
  put_bytes(digits, (uint32_t)n); /* decimal text is a JSON number as it stands */
  put("}");
}

/* CommandRequest {command, params} -> CommandResponse. Always answers; never traps. */
EXPORT("handle_command") int32_t handle_command(void) {
  static const char *const keys[] = { "command", "params" };
  Span vals[2];
  Json j;
  if (!read_input()) invalid_request("request too large");
  else if (!utf8_valid(in, in_n)) invalid_request("request is not valid UTF-8");
  else if (!json_parse_object(&j, in, in_n, keys, vals, 2)) invalid_request(j.err);
  else if (vals[0].n == 0) invalid_request("missing command");
  else if (!is_string(vals[0])) invalid_request("command must be a string");
  else {
    Span command = vals[0], params = vals[1];
    if (json_str_eq(command, "ping")) {
      respond_ok();
      put("\"pong\"}");
    } else if (json_str_eq(command, "echo")) {
      cmd_echo(params);
    } else if (json_str_eq(command, "greet")) {
      cmd_greet(params);
    } else if (json_str_eq(command, "time")) {
      cmd_time();
    } else {
      respond_error("unknown command: ", command.p + 1, command.n - 2, "unknown_command");
    }
  }
  if (out_overflow) invalid_request("response too large");
  set_output(out, out_n);
  return 0;
}

/* ---- config ---- */

/* set_config: input is a config object (stored verbatim) or null / empty (forget the config).
 * Anything else fails the call and keeps the previous config. Output: "" (nothing to reconcile). */
EXPORT("set_config") int32_t set_config(void) {
  Json j;
  if (!read_input()) return fail("set_config: config too large (max 65536 bytes)");
  Json probe = { in, in + in_n, 0 };
  json_ws(&probe);
  if (probe.p == probe.end || (json_literal(&probe, "null") && (json_ws(&probe), probe.p == probe.end))) {
    config_n = 0;
    return 0;
  }
  if (in_n > CONFIG_MAX) return fail("set_config: config too large (max 65536 bytes)");
  if (!utf8_valid(in, in_n)) return fail("set_config: config is not valid UTF-8");
  if (!json_parse_object(&j, in, in_n, 0, 0, 0)) return fail("set_config: config must be a JSON object");
  __builtin_memcpy(config, in, in_n);
  config_n = in_n;
  return 0;
}

/* get_config: the last config given to set_config, or {}. */
EXPORT("get_config") int32_t get_config(void) {
  if (config_n == 0) set_output((const uint8_t *)"{}", 2);
  else set_output(config, config_n);
  return 0;
}
