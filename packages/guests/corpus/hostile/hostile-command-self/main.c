// Calls its own command through host_plugin_command.
#define GUEST_ID "hostile.command-self"
#define GUEST_NAME "Hostile: command calls itself"
#define GUEST_DESC "call_self calls host_plugin_command with its own plugin id."
#define GUEST_COMMANDS "\"call_self\""
#include "../_shared/hostcall.h"

static int dispatch(const uint8_t *c, uint32_t n) {
  if (!span_eq(c, n, "call_self")) return 0;
  ok_answer(call_s(host_plugin_command, "{\"plugin_id\":\"" GUEST_ID "\",\"command\":\"call_self\",\"params\":null}"));
  return 1;
}
