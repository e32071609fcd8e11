// Tries to read and write outside the workspace through the file host functions; returns the raw answers.
#define GUEST_ID "hostile.fs-escape"
#define GUEST_NAME "Hostile: fs escape"
#define GUEST_DESC "Tries to leave the workspace through host_read_file, host_write_file and host_list_files."
#define GUEST_COMMANDS "\"read_parent\",\"read_encoded\",\"read_absolute\",\"read_symlink\",\"write_parent\",\"list_root_escape\""
#include "../_shared/hostcall.h"

static int dispatch(const uint8_t *c, uint32_t n) {
  if (span_eq(c, n, "read_parent")) ok_answer(call_s(host_read_file, "{\"path\":\"../secret.txt\"}"));
  else if (span_eq(c, n, "read_encoded")) ok_answer(call_s(host_read_file, "{\"path\":\"%2e%2e/secret.txt\"}"));
  else if (span_eq(c, n, "read_absolute")) ok_answer(call_s(host_read_file, "{\"path\":\"/etc/passwd\"}"));
  else if (span_eq(c, n, "read_symlink")) ok_answer(call_s(host_read_file, "{\"path\":\"link-out/secret.txt\"}"));
  else if (span_eq(c, n, "write_parent"))
    ok_answer(call_s(host_write_file, "{\"path\":\"../evil.txt\",\"content\":\"written by hostile.fs-escape\"}"));
  else if (span_eq(c, n, "list_root_escape")) ok_answer(call_s(host_list_files, "{\"prefix\":\"../\"}"));
  else return 0;
  return 1;
}
