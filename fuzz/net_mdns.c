/*
 * net_mdns - DNS/mDNS message parsing (stack/net/mdns.c): any input either
 * parses or is rejected with a reason; a parsed message has NUL-terminated
 * names within RTG_MDNS_NAME_MAX, record data inside the input, A/AAAA data
 * of 4/16 bytes, and an address lookup on every answer name round-trips
 * through rtg_mdns_build_answer and a re-parse.
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/mdns.h"
#include "rtg_fuzz.h"

static struct rtg_mdns_msg m, m2;

static void check_record(const struct rtg_mdns_record *r, const uint8_t *data, size_t size) {
  if (memchr(r->name, '\0', sizeof r->name) == NULL) abort();
  if (r->rdata.len && (r->rdata.p < data || r->rdata.p + r->rdata.len > data + size)) abort();
  if (r->cls == RTG_DNS_CLASS_IN && r->type == RTG_DNS_TYPE_A && r->rdata.len != 4) abort();
  if (r->cls == RTG_DNS_CLASS_IN && r->type == RTG_DNS_TYPE_AAAA && r->rdata.len != 16) abort();
}

/* A name found by lookup is answered again and must resolve the same. */
static void round_trip(const char *name) {
  struct rtg_net_addr a, b;
  uint8_t buf[1500];
  ptrdiff_t n;
  if (rtg_mdns_msg_lookup(&m, name, 0, &a) != 0) return;
  n = rtg_mdns_build_answer(buf, sizeof buf, 1, name, &a, 120, true);
  if (n < 0) return; /* names with escapes or empty labels are not buildable */
  if (rtg_mdns_msg_parse(&m2, buf, (size_t)n, NULL) != 0) abort();
  if (rtg_mdns_msg_lookup(&m2, name, a.family, &b) != 0) abort();
  if (memcmp(a.ip, b.ip, a.family == 4 ? 4 : 16) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct rtg_perr e;
  rtg_perr_clear(&e);
  if (rtg_mdns_msg_parse(&m, data, size, &e) != 0) {
    if (e.reason == NULL || e.field == NULL || e.offset > size) abort();
    return 0;
  }
  for (size_t i = 0; i < m.nquestions; i++)
    if (memchr(m.q[i].name, '\0', sizeof m.q[i].name) == NULL) abort();
  for (size_t i = 0; i < m.nrecords; i++) check_record(&m.rr[i], data, size);
  if (m.flags & RTG_DNS_FLAG_QR)
    for (size_t i = 0; i < m.nrecords; i++) round_trip(m.rr[i].name);
  return 0;
}
