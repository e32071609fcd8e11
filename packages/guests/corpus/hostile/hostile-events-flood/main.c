// Emits 100,000 events (or params.count) in one call and counts the non-empty (rate-limited) answers.
// params.count exists because @extism/extism rc13 can address at most 32,767 blocks in one call
// (handle = index << 48 in a signed i64), and every stored host answer takes one.
#define GUEST_ID "hostile.events-flood"
#define GUEST_NAME "Hostile: event flood"
#define GUEST_DESC "flood calls host_emit_event 100000 times (or params.count) in one call and counts the non-empty answers."
#define GUEST_COMMANDS "\"flood\""
#include "../_shared/hostcall.h"

#define FLOOD_CALLS 100000u
#define MAX_CALLS 1000000u

// params.count: absent or null -> FLOOD_CALLS; a plain integer 1..MAX_CALLS; anything else -> 0 (invalid).
static uint32_t flood_count(void) {
  uint32_t s, n;
  if (!j_member(params_p, params_n, "count", &s, &n)) return FLOOD_CALLS;
  if (n == 4 && span_eq(params_p + s, 4, "null")) return FLOOD_CALLS;
  if (n == 0 || n > 7) return 0;
  uint32_t v = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t c = params_p[s + i];
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
  }
  return v >= 1 && v <= MAX_CALLS ? v : 0;
}

static int dispatch(const uint8_t *c, uint32_t n) {
  if (!span_eq(c, n, "flood")) return 0;
  uint32_t count = flood_count();
  if (!count) { fail("flood: params.count must be an integer from 1 to 1000000", "invalid_params"); return 1; }
  H in = block_of((const uint8_t *)"{\"event_type\":\"hostile.flood\",\"payload\":{}}", 43);
  H first = 0;
  uint64_t non_empty = 0;
  for (uint32_t i = 0; i < count; i++) {
    H answer = host_emit_event(in);
    if (answer && extism_length(answer) > 0) {
      non_empty++;
      if (!first) { first = answer; continue; }
    }
    if (answer) extism_free(answer);
  }
  extism_free(in);
  const uint8_t *calls_t, *ne_t;
  uint32_t calls_n = u64_text(0, count, &calls_t), ne_n = u64_text(1, non_empty, &ne_t);
  // {"success":true,"data":{"calls":<count>,"non_empty":N,"first_non_empty":"<answer>"|null}}
  r_reset();
  r_lit("{\"success\":true,\"data\":{\"calls\":"); r_litn(calls_t, calls_n);
  r_lit(",\"non_empty\":"); r_litn(ne_t, ne_n);
  r_lit(",\"first_non_empty\":");
  if (first) r_answer(first); else r_lit("null");
  r_lit("}}");
  respond();
  return 1;
}
