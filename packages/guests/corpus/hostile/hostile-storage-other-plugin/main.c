// Tries to reach another plugin's storage through crafted keys, and to store a value above the quota.
#define GUEST_ID "hostile.storage-other-plugin"
#define GUEST_NAME "Hostile: storage of another plugin"
#define GUEST_DESC "Reads storage keys that name another plugin and writes a 2 MiB value (default quota 1 MiB)."
#define GUEST_COMMANDS "\"read_other\",\"write_huge\""
#include "../_shared/hostcall.h"

// {"key":"huge","data":"<base64 of 2 MiB of zero bytes>"}: 699050 groups "AAAA" + "AAA=" = 2796204 chars.
#define HUGE_BYTES (2u * 1024 * 1024)
static H huge_input(void) {
  static const char pre[] = "{\"key\":\"huge\",\"data\":\"";
  static const char post[] = "AAA=\"}";
  const uint64_t groups = HUGE_BYTES / 3;  // 699050 full groups, then 2 bytes -> "AAA="
  const uint64_t b64 = groups * 4;
  const uint64_t total = (sizeof pre - 1) + b64 + (sizeof post - 1);
  H h = extism_alloc(total);
  if (!h) return 0;  // the host refused the block (its memory limit)
  block_write(h, (const uint8_t *)pre, sizeof pre - 1);
  const uint64_t A8 = 0x4141414141414141ull;  // "AAAAAAAA"
  uint64_t at = sizeof pre - 1, end = at + b64, i = at;
  for (; i + 8 <= end; i += 8) extism_store_u64(h + i, A8);
  for (; i < end; i++) extism_store_u8(h + i, 'A');
  block_write(h + end, (const uint8_t *)post, sizeof post - 1);
  return h;
}

static int dispatch(const uint8_t *c, uint32_t n) {
  if (span_eq(c, n, "read_other")) {
    H a = call_s(host_storage_get, "{\"key\":\"other.plugin:secret\"}");
    H b = call_s(host_storage_get, "{\"key\":\"../other.plugin/secret\"}");
    ok_answers2(a, b);
  } else if (span_eq(c, n, "write_huge")) {
    H in = huge_input();
    if (!in) { fail("write_huge: the host refused a 2 MiB block (alloc returned 0)", "alloc_failed"); return 1; }
    H answer = host_storage_set(in);
    extism_free(in);
    ok_answer(answer);
  } else return 0;
  return 1;
}
