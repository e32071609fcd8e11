// Makes HTTP requests the policy does not grant (or that must never be granted), and injects a header.
#define GUEST_ID "hostile.http-ungranted"
#define GUEST_NAME "Hostile: ungranted HTTP"
#define GUEST_DESC "Calls host_http_request on ungranted, loopback and metadata URLs and with a CRLF header."
#define GUEST_COMMANDS "\"fetch_ungranted\",\"fetch_loopback\",\"fetch_metadata\",\"header_injection\""
#include "../_shared/hostcall.h"

static int dispatch(const uint8_t *c, uint32_t n) {
  if (span_eq(c, n, "fetch_ungranted"))
    ok_answer(call_s(host_http_request, "{\"url\":\"https://not-granted.example/\",\"method\":\"GET\",\"headers\":{}}"));
  else if (span_eq(c, n, "fetch_loopback")) {
    H a = call_s(host_http_request, "{\"url\":\"http://127.0.0.1:9/\",\"method\":\"GET\",\"headers\":{}}");
    H b = call_s(host_http_request, "{\"url\":\"http://localhost/\",\"method\":\"GET\",\"headers\":{}}");
    ok_answers2(a, b);
  } else if (span_eq(c, n, "fetch_metadata"))
    ok_answer(call_s(host_http_request,
                     "{\"url\":\"http://169.254.169.254/latest/meta-data/\",\"method\":\"GET\",\"headers\":{}}"));
  else if (span_eq(c, n, "header_injection")) {
    // URL: params.url when it is a string, else https://granted.example/ (grant it so only the header can fail).
    uint32_t us, un;
    t_reset();
    t_str("{\"url\":");
    if (j_string_member(params_p, params_n, "url", &us, &un)) t_raw(params_p + us, un);
    else t_str("\"https://granted.example/\"");
    t_str(",\"method\":\"GET\",\"headers\":{\"X-Test\":\"a\\r\\nInjected: yes\"}}");
    ok_answer(call_n(host_http_request, tb, tn));
  } else return 0;
  return 1;
}
