// Calls host functions with malformed input; returns each raw answer.
#define GUEST_ID "hostile.input-malformed"
#define GUEST_NAME "Hostile: malformed host-call input"
#define GUEST_DESC "Calls file, HTTP and storage host functions with malformed JSON and bad base64."
#define GUEST_COMMANDS "\"read_file_truncated\",\"write_file_not_json\",\"http_request_array\",\"storage_set_bad_base64\",\"write_binary_bad_base64\""
#include "../_shared/hostcall.h"

static int dispatch(const uint8_t *c, uint32_t n) {
  if (span_eq(c, n, "read_file_truncated")) ok_answer(call_s(host_read_file, "{\"path\":"));
  else if (span_eq(c, n, "write_file_not_json")) ok_answer(call_s(host_write_file, "not json"));
  else if (span_eq(c, n, "http_request_array")) ok_answer(call_s(host_http_request, "[]"));
  else if (span_eq(c, n, "storage_set_bad_base64")) ok_answer(call_s(host_storage_set, "{\"key\":\"k\",\"data\":\"%%%\"}"));
  else if (span_eq(c, n, "write_binary_bad_base64"))
    ok_answer(call_s(host_write_binary, "{\"path\":\"bad.bin\",\"content\":\"%%%\"}"));
  else return 0;
  return 1;
}
