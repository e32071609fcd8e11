// Cross-plugin ping-pong through host_plugin_command: two copies with different ids bounce until the depth limit.
#define GUEST_DYNAMIC_ID
#define DEFAULT_ID "hostile.command-recursion"
#define GUEST_NAME "Hostile: command recursion"
#define GUEST_DESC "bounce calls host_plugin_command on params.target (or params.back when the target is itself) with the same params."
#define GUEST_COMMANDS "\"bounce\""
#include "../_shared/hostcall.h"

// The manifest id: Extism config "plugin_id" when set (lowercase [a-z0-9.-], at most 128 bytes), else DEFAULT_ID.
static uint8_t idbuf[128];
static uint32_t guest_id(const uint8_t **out) {
  static const char key[] = "plugin_id";
  H k = block_of((const uint8_t *)key, sizeof key - 1);
  H v = extism_config_get(k);
  extism_free(k);
  uint64_t n = v ? extism_length(v) : 0;
  int ok = n > 0 && n <= sizeof idbuf;
  for (uint64_t i = 0; ok && i < n; i++) {
    uint8_t c = extism_load_u8(v + i);
    ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    idbuf[i] = c;
  }
  if (v) extism_free(v);
  if (!ok) { *out = (const uint8_t *)DEFAULT_ID; return cstrlen(DEFAULT_ID); }
  *out = idbuf;
  return (uint32_t)n;
}

static int dispatch(const uint8_t *c, uint32_t n) {
  if (!span_eq(c, n, "bounce")) return 0;
  uint32_t ts, tl, bs, bl;
  if (!j_string_member(params_p, params_n, "target", &ts, &tl)) {
    fail("bounce: params.target is required", "invalid_params");
    return 1;
  }
  const uint8_t *id; uint32_t idn = guest_id(&id);
  int target_is_self = tl == idn + 2;
  for (uint32_t i = 0; target_is_self && i < idn; i++) target_is_self = params_p[ts + 1 + i] == id[i];
  if (target_is_self && j_string_member(params_p, params_n, "back", &bs, &bl)) { ts = bs; tl = bl; }
  t_reset();
  t_str("{\"plugin_id\":"); t_raw(params_p + ts, tl);
  t_str(",\"command\":\"bounce\",\"params\":"); t_raw(params_p, params_n); t_str("}");
  ok_answer(call_n(host_plugin_command, tb, tn));
  return 1;
}
