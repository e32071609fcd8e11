// Emits 100,000 events in one call and counts the non-empty (rate-limited) answers.
#define GUEST_ID "hostile.events-flood"
#define GUEST_NAME "Hostile: event flood"
#define GUEST_DESC "flood calls host_emit_event 100000 times in one call and counts the non-empty answers."
#define GUEST_COMMANDS "\"flood\""
#include "../_shared/hostcall.h"

#define FLOOD_CALLS 100000u

static int dispatch(const uint8_t *c, uint32_t n) {
  if (!span_eq(c, n, "flood")) return 0;
  H in = block_of((const uint8_t *)"{\"event_type\":\"hostile.flood\",\"payload\":{}}", 43);
  H first = 0;
  uint64_t non_empty = 0;
  for (uint32_t i = 0; i < FLOOD_CALLS; i++) {
    H answer = host_emit_event(in);
    if (answer && extism_length(answer) > 0) {
      non_empty++;
      if (!first) { first = answer; continue; }
    }
    if (answer) extism_free(answer);
  }
  extism_free(in);
  const uint8_t *calls_t, *ne_t;
  uint32_t calls_n = u64_text(0, FLOOD_CALLS, &calls_t), ne_n = u64_text(1, non_empty, &ne_t);
  // {"success":true,"data":{"calls":100000,"non_empty":N,"first_non_empty":"<answer>"|null}}
  r_reset();
  r_lit("{\"success\":true,\"data\":{\"calls\":"); r_litn(calls_t, calls_n);
  r_lit(",\"non_empty\":"); r_litn(ne_t, ne_n);
  r_lit(",\"first_non_empty\":");
  if (first) r_answer(first); else r_lit("null");
  r_lit("}}");
  respond();
  return 1;
}
