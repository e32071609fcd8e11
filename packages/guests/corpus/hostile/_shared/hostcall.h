// Shared freestanding C for the hostile guests that abuse host functions (hostile-fs-*, hostile-storage-*,
// hostile-http-*, hostile-command-*, hostile-events-*, hostile-input-*). No libc.
//
// A guest defines, BEFORE including this header:
//   GUEST_ID        "hostile.xxx"          (unless it defines GUEST_DYNAMIC_ID and a guest_id() of its own)
//   GUEST_NAME      display name
//   GUEST_DESC      one-line description (plain ASCII, no quotes or backslashes)
//   GUEST_COMMANDS  the manifest's command list as JSON text: "\"a\",\"b\""
// and AFTER including it:
//   static int dispatch(const uint8_t *cmd, uint32_t n);  // 0 = unknown command; otherwise it has responded
//
// This header provides the exports manifest, handle_command, init and shutdown; a small JSON scanner
// (the request's top-level "command" and "params", and members of params); host-call helpers; and
// responses built from pieces (literals, and host answers escaped as JSON strings). A response is sized
// first and then written into one block of exactly its size, so a host answer of any length fits.
#include <stdint.h>

#pragma clang diagnostic ignored "-Wunused-function"

#define IMPORT(mod, name) __attribute__((import_module(mod), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))
#define NOINLINE __attribute__((noinline))  // keeps the modules small under the builder's -O2

typedef uint64_t H;  // Extism block handle (0 = none)

IMPORT("extism:host/env", "input_length")   uint64_t extism_input_length(void);
IMPORT("extism:host/env", "input_load_u8")  uint8_t  extism_input_load_u8(uint64_t offs);
IMPORT("extism:host/env", "input_load_u64") uint64_t extism_input_load_u64(uint64_t offs);
IMPORT("extism:host/env", "alloc")          H        extism_alloc(uint64_t len);
IMPORT("extism:host/env", "free")           void     extism_free(H h);
IMPORT("extism:host/env", "length")         uint64_t extism_length(H h);
IMPORT("extism:host/env", "store_u8")       void     extism_store_u8(H h, uint8_t v);
IMPORT("extism:host/env", "store_u64")      void     extism_store_u64(H h, uint64_t v);
IMPORT("extism:host/env", "load_u8")        uint8_t  extism_load_u8(H h);
IMPORT("extism:host/env", "load_u64")       uint64_t extism_load_u64(H h);
IMPORT("extism:host/env", "output_set")     void     extism_output_set(H h, uint64_t len);
IMPORT("extism:host/env", "config_get")     H        extism_config_get(H key);

// Host functions (only the ones a guest references become imports).
IMPORT("extism:host/user", "host_read_file")      H host_read_file(H);
IMPORT("extism:host/user", "host_write_file")     H host_write_file(H);
IMPORT("extism:host/user", "host_write_binary")   H host_write_binary(H);
IMPORT("extism:host/user", "host_list_files")     H host_list_files(H);
IMPORT("extism:host/user", "host_storage_get")    H host_storage_get(H);
IMPORT("extism:host/user", "host_storage_set")    H host_storage_set(H);
IMPORT("extism:host/user", "host_http_request")   H host_http_request(H);
IMPORT("extism:host/user", "host_plugin_command") H host_plugin_command(H);
IMPORT("extism:host/user", "host_emit_event")     H host_emit_event(H);

static uint32_t cstrlen(const char *s) { uint32_t n = 0; while (s[n]) n++; return n; }
NOINLINE static int span_eq(const uint8_t *p, uint32_t n, const char *s) {
  uint32_t i = 0;
  for (; i < n; i++) if (!s[i] || (uint8_t)s[i] != p[i]) return 0;
  return s[i] == 0;
}

// ---- blocks ---------------------------------------------------------------------------------------

NOINLINE static void block_write(H h, const uint8_t *src, uint64_t n) {
  uint64_t i = 0;
  for (; i + 8 <= n; i += 8) { uint64_t w; __builtin_memcpy(&w, src + i, 8); extism_store_u64(h + i, w); }
  for (; i < n; i++) extism_store_u8(h + i, src[i]);
}
static H block_of(const uint8_t *src, uint64_t n) { H h = extism_alloc(n); block_write(h, src, n); return h; }

// Calls a host function with a text input; frees the input block; returns the answer handle.
static H call_n(H (*fn)(H), const uint8_t *text, uint64_t n) {
  H in = block_of(text, n);
  H answer = fn(in);
  extism_free(in);
  return answer;
}
static H call_s(H (*fn)(H), const char *text) { return call_n(fn, (const uint8_t *)text, cstrlen(text)); }

// Text builder for host-call inputs (guest memory).
static uint8_t tb[70000];  // fits params of up to 64 KiB plus framing
static uint32_t tn;
static void t_reset(void) { tn = 0; }
NOINLINE static void t_raw(const uint8_t *p, uint32_t n) { for (uint32_t i = 0; i < n && tn < sizeof tb; i++) tb[tn++] = p[i]; }
static void t_str(const char *s) { t_raw((const uint8_t *)s, cstrlen(s)); }

// Windowed reads of a host answer block.
static H win_h;
static uint64_t win_off, win_len;
static uint8_t win[4096];
NOINLINE static int blk_byte(H h, uint64_t len, uint64_t i) {
  if (i >= len) return -1;
  if (h != win_h || i < win_off || i >= win_off + win_len) {
    win_h = h;
    win_off = i;
    win_len = len - i < sizeof win ? len - i : sizeof win;
    uint64_t k = 0;
    for (; k + 8 <= win_len; k += 8) { uint64_t w = extism_load_u64(h + i + k); __builtin_memcpy(win + k, &w, 8); }
    for (; k < win_len; k++) win[k] = extism_load_u8(h + i + k);
  }
  return win[i - win_off];
}

// ---- responses: pieces, sized then written --------------------------------------------------------

enum { P_LIT, P_ANSWER, P_ESC };
typedef struct { int kind; const uint8_t *p; uint32_t n; H h; } Piece;
static Piece pieces[24];
static int npieces;
static void r_reset(void) { npieces = 0; }
NOINLINE static void r_litn(const uint8_t *p, uint32_t n) { if (npieces < 24) pieces[npieces++] = (Piece){P_LIT, p, n, 0}; }
static void r_lit(const char *s) { r_litn((const uint8_t *)s, cstrlen(s)); }
static void r_answer(H h) { if (npieces < 24) pieces[npieces++] = (Piece){P_ANSWER, 0, 0, h}; }  // as a JSON string
static void r_esc(const uint8_t *p, uint32_t n) { if (npieces < 24) pieces[npieces++] = (Piece){P_ESC, p, n, 0}; }

static int sink_writing;
static uint64_t sink_n, sink_pos;
static H sink_h;
static uint8_t sbuf[4096];
static uint32_t sfill;
NOINLINE static void s_flush(void) { block_write(sink_h + sink_pos, sbuf, sfill); sink_pos += sfill; sfill = 0; }
NOINLINE static void s_put(uint8_t c) {
  if (!sink_writing) { sink_n++; return; }
  sbuf[sfill++] = c;
  if (sfill == sizeof sbuf) s_flush();
}
NOINLINE static void s_str(const char *s) { while (*s) s_put((uint8_t)*s++); }
static const char HEX[] = "0123456789abcdef";

// One byte source (a guest buffer or a block) escaped as JSON string content; invalid UTF-8 -> U+FFFD.
NOINLINE static int src_byte(const Piece *pc, uint64_t len, uint64_t i) {
  if (pc->kind == P_ESC) return i < len ? pc->p[i] : -1;
  return blk_byte(pc->h, len, i);
}
NOINLINE static void s_escaped(const Piece *pc) {
  uint64_t len = pc->kind == P_ESC ? pc->n : (pc->h ? extism_length(pc->h) : 0);
  s_put('"');
  for (uint64_t i = 0; i < len;) {
    int c = src_byte(pc, len, i);
    if (c < 0x80) {
      if (c == '"') s_str("\\\"");
      else if (c == '\\') s_str("\\\\");
      else if (c == '\n') s_str("\\n");
      else if (c == '\r') s_str("\\r");
      else if (c == '\t') s_str("\\t");
      else if (c < 0x20) { s_str("\\u00"); s_put((uint8_t)HEX[c >> 4]); s_put((uint8_t)HEX[c & 15]); }
      else s_put((uint8_t)c);
      i++;
      continue;
    }
    int need; uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) { need = 1; cp = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { need = 2; cp = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { need = 3; cp = c & 0x07; min = 0x10000; }
    else { s_str("\\ufffd"); i++; continue; }
    int ok = 1;
    for (int k = 1; k <= need; k++) {
      int d = src_byte(pc, len, i + k);
      if (d < 0 || (d & 0xC0) != 0x80) { ok = 0; break; }
      cp = (cp << 6) | (uint32_t)(d & 0x3F);
    }
    if (!ok || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) { s_str("\\ufffd"); i++; continue; }
    for (int k = 0; k <= need; k++) s_put((uint8_t)src_byte(pc, len, i + k));
    i += (uint64_t)need + 1;
  }
  s_put('"');
}
NOINLINE static void s_pieces(void) {
  for (int i = 0; i < npieces; i++) {
    const Piece *pc = &pieces[i];
    if (pc->kind == P_LIT) for (uint32_t k = 0; k < pc->n; k++) s_put(pc->p[k]);
    else s_escaped(pc);
  }
}
// Sizes the response, allocates exactly that, writes it and sets it as the output.
NOINLINE static void respond(void) {
  win_h = 0;
  sink_writing = 0; sink_n = 0;
  s_pieces();
  sink_h = extism_alloc(sink_n);
  if (!sink_h && sink_n) return;  // the host refused the block (its memory limit): no output
  sink_writing = 1; sink_pos = 0; sfill = 0;
  s_pieces();
  s_flush();
  extism_output_set(sink_h, sink_n);
}

// {"success":true,"data":"<answer>"}
NOINLINE static void ok_answer(H answer) {
  r_reset(); r_lit("{\"success\":true,\"data\":"); r_answer(answer); r_lit("}"); respond();
}
// {"success":true,"data":["<answer 1>","<answer 2>"]}
static void ok_answers2(H a, H b) {
  r_reset(); r_lit("{\"success\":true,\"data\":["); r_answer(a); r_lit(","); r_answer(b); r_lit("]}"); respond();
}
NOINLINE static void fail(const char *error, const char *code) {
  r_reset();
  r_lit("{\"success\":false,\"error\":"); r_esc((const uint8_t *)error, cstrlen(error));
  r_lit(",\"error_code\":\""); r_lit(code); r_lit("\"}");
  respond();
}

// Decimal text of n into a static buffer (for responses built from pieces).
static uint8_t numbuf[4][24];
static uint32_t u64_text(int slot, uint64_t v, const uint8_t **out) {
  uint8_t tmp[24]; uint32_t n = 0;
  do { tmp[n++] = (uint8_t)('0' + v % 10); v /= 10; } while (v);
  for (uint32_t i = 0; i < n; i++) numbuf[slot][i] = tmp[n - 1 - i];
  *out = numbuf[slot];
  return n;
}

// ---- JSON scanner ---------------------------------------------------------------------------------

static const uint8_t *J;
static uint32_t JN, JP;
static const char *jerr;

static void j_ws(void) { while (JP < JN && (J[JP] == ' ' || J[JP] == '\t' || J[JP] == '\n' || J[JP] == '\r')) JP++; }
static int is_hex(uint8_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

NOINLINE static int j_string(void) {  // at '"'; leaves JP after the closing quote
  JP++;
  while (JP < JN) {
    uint8_t c = J[JP++];
    if (c == '"') return 1;
    if (c < 0x20) { jerr = "control character in string"; return 0; }
    if (c == '\\') {
      if (JP >= JN) break;
      uint8_t e = J[JP++];
      if (e == 'u') {
        for (int k = 0; k < 4; k++) if (JP >= JN || !is_hex(J[JP++])) { jerr = "bad \\u escape"; return 0; }
      } else if (!(e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't')) {
        jerr = "bad escape"; return 0;
      }
    }
  }
  jerr = "unterminated string";
  return 0;
}
NOINLINE static int j_number(void) {
  if (JP < JN && J[JP] == '-') JP++;
  if (JP >= JN || !is_digit(J[JP])) { jerr = "bad number"; return 0; }
  if (J[JP] == '0') JP++; else while (JP < JN && is_digit(J[JP])) JP++;
  if (JP < JN && J[JP] == '.') {
    JP++;
    if (JP >= JN || !is_digit(J[JP])) { jerr = "bad number"; return 0; }
    while (JP < JN && is_digit(J[JP])) JP++;
  }
  if (JP < JN && (J[JP] == 'e' || J[JP] == 'E')) {
    JP++;
    if (JP < JN && (J[JP] == '+' || J[JP] == '-')) JP++;
    if (JP >= JN || !is_digit(J[JP])) { jerr = "bad number"; return 0; }
    while (JP < JN && is_digit(J[JP])) JP++;
  }
  return 1;
}
NOINLINE static int j_literal(const char *w) {
  uint32_t n = cstrlen(w);
  if (JN - JP < n) { jerr = "bad literal"; return 0; }
  for (uint32_t i = 0; i < n; i++) if (J[JP + i] != (uint8_t)w[i]) { jerr = "bad literal"; return 0; }
  JP += n;
  return 1;
}
NOINLINE static int j_value(int depth) {
  j_ws();
  if (JP >= JN) { jerr = "unexpected end"; return 0; }
  if (depth > 64) { jerr = "too deeply nested"; return 0; }
  uint8_t c = J[JP];
  if (c == '"') return j_string();
  if (c == '{' || c == '[') {
    uint8_t close = c == '{' ? '}' : ']';
    JP++; j_ws();
    if (JP < JN && J[JP] == close) { JP++; return 1; }
    for (;;) {
      if (c == '{') {
        j_ws();
        if (JP >= JN || J[JP] != '"') { jerr = "expected key"; return 0; }
        if (!j_string()) return 0;
        j_ws();
        if (JP >= JN || J[JP] != ':') { jerr = "expected ':'"; return 0; }
        JP++;
      }
      if (!j_value(depth + 1)) return 0;
      j_ws();
      if (JP < JN && J[JP] == ',') { JP++; continue; }
      if (JP < JN && J[JP] == close) { JP++; return 1; }
      jerr = c == '{' ? "expected ',' or '}'" : "expected ',' or ']'";
      return 0;
    }
  }
  if (c == 't') return j_literal("true");
  if (c == 'f') return j_literal("false");
  if (c == 'n') return j_literal("null");
  return j_number();
}

// Finds member `key` of the JSON object text p[0..n); returns 1 and its raw value span, else 0.
static int j_member(const uint8_t *p, uint32_t n, const char *key, uint32_t *vs, uint32_t *vn) {
  J = p; JN = n; JP = 0;
  int found = 0;
  j_ws();
  if (JP >= JN || J[JP] != '{') return 0;
  JP++; j_ws();
  if (JP < JN && J[JP] == '}') return 0;
  for (;;) {
    j_ws();
    if (JP >= JN || J[JP] != '"') return 0;
    uint32_t ks = JP;
    if (!j_string()) return 0;
    int match = span_eq(J + ks + 1, JP - ks - 2, key);
    j_ws();
    if (JP >= JN || J[JP] != ':') return 0;
    JP++; j_ws();
    uint32_t s = JP;
    if (!j_value(1)) return 0;
    if (match) { *vs = s; *vn = JP - s; found = 1; }  // last duplicate wins
    j_ws();
    if (JP < JN && J[JP] == ',') { JP++; continue; }
    if (JP < JN && J[JP] == '}') return found;
    return 0;
  }
}
// A member that is a JSON string: raw span INCLUDING its quotes (ready to splice into JSON), or 0.
static int j_string_member(const uint8_t *p, uint32_t n, const char *key, uint32_t *vs, uint32_t *vn) {
  return j_member(p, n, key, vs, vn) && p[*vs] == '"';
}

// ---- request and exports --------------------------------------------------------------------------

static uint8_t inbuf[65536];
static const uint8_t *params_p;  // raw JSON text of params ("null" when absent)
static uint32_t params_n;

static int dispatch(const uint8_t *cmd, uint32_t n);

#ifndef GUEST_DYNAMIC_ID
static uint32_t guest_id(const uint8_t **out) { *out = (const uint8_t *)GUEST_ID; return cstrlen(GUEST_ID); }
#else
static uint32_t guest_id(const uint8_t **out);
#endif

EXPORT("manifest") int32_t manifest(void) {
  const uint8_t *id; uint32_t idn = guest_id(&id);
  r_reset();
  r_lit("{\"protocol_version\":1,\"id\":\""); r_litn(id, idn);
  r_lit("\",\"name\":\"" GUEST_NAME "\",\"version\":\"1.0.0\",\"description\":\"" GUEST_DESC
        "\",\"capabilities\":[\"custom_commands\"],\"commands\":[" GUEST_COMMANDS "]}");
  respond();
  return 0;
}

EXPORT("init") int32_t init(void) { return 0; }
EXPORT("shutdown") int32_t shutdown(void) { return 0; }

NOINLINE static void invalid_request(const char *why) {
  static uint8_t msg[96];
  uint32_t n = 0;
  const char *pre = "invalid request: ";
  while (*pre) msg[n++] = (uint8_t)*pre++;
  while (*why && n < sizeof msg) msg[n++] = (uint8_t)*why++;
  r_reset();
  r_lit("{\"success\":false,\"error\":"); r_esc(msg, n); r_lit(",\"error_code\":\"invalid_request\"}");
  respond();
}

EXPORT("handle_command") int32_t handle_command(void) {
  uint64_t len = extism_input_length();
  if (len > sizeof inbuf) { invalid_request("request too large"); return 0; }
  uint32_t n = (uint32_t)len, i = 0;
  for (; i + 8 <= n; i += 8) { uint64_t w = extism_input_load_u64(i); __builtin_memcpy(inbuf + i, &w, 8); }
  for (; i < n; i++) inbuf[i] = extism_input_load_u8(i);

  J = inbuf; JN = n; JP = 0; jerr = "not a JSON object";
  uint32_t cs = 0, cn = 0, ps = 0, pn = 0;
  int have_cmd = 0, have_params = 0, cmd_not_string = 0;
  j_ws();
  if (JP >= JN || J[JP] != '{') { invalid_request("not a JSON object"); return 0; }
  JP++; j_ws();
  if (JP < JN && J[JP] == '}') JP++;
  else for (;;) {
    j_ws();
    if (JP >= JN || J[JP] != '"') { invalid_request("expected key"); return 0; }
    uint32_t ks = JP;
    if (!j_string()) { invalid_request(jerr); return 0; }
    uint32_t kn = JP - ks - 2;
    j_ws();
    if (JP >= JN || J[JP] != ':') { invalid_request("expected ':'"); return 0; }
    JP++; j_ws();
    uint32_t vs = JP;
    if (!j_value(1)) { invalid_request(jerr); return 0; }
    if (span_eq(J + ks + 1, kn, "command")) {
      have_cmd = 1;
      cmd_not_string = J[vs] != '"';
      cs = vs + 1; cn = JP - vs - 2;
    } else if (span_eq(J + ks + 1, kn, "params")) {
      have_params = 1; ps = vs; pn = JP - vs;
    }
    j_ws();
    if (JP < JN && J[JP] == ',') { JP++; continue; }
    if (JP < JN && J[JP] == '}') { JP++; break; }
    invalid_request("expected ',' or '}'");
    return 0;
  }
  j_ws();
  if (JP != JN) { invalid_request("trailing data"); return 0; }
  if (!have_cmd) { invalid_request("missing command"); return 0; }
  if (cmd_not_string) { invalid_request("command must be a string"); return 0; }
  if (have_params) { params_p = inbuf + ps; params_n = pn; }
  else { params_p = (const uint8_t *)"null"; params_n = 4; }

  if (!dispatch(inbuf + cs, cn)) {
    r_reset();
    r_lit("{\"success\":false,\"error\":\"unknown command: "); r_litn(inbuf + cs, cn);  // raw JSON string content
    r_lit("\",\"error_code\":\"unknown_command\"}");
    respond();
  }
  return 0;
}
