/*
 * stun_parse - rtg_stun_msg_parse plus every accessor on every attribute.
 * Invariants checked on every accepted message: attributes stay inside the
 * message, the iterator sees exactly nattrs attributes, the recorded
 * integrity/fingerprint offsets point at those attributes, and rebuilding
 * the message attribute by attribute with the builder gives the same bytes
 * (padding aside) which parse again to the same message.
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/stun.h"
#include "rtg_fuzz.h"

static void accessors(const struct rtg_stun_msg *m, const struct rtg_stun_attr *a) {
  struct rtg_stun_addr ad;
  struct rtg_slice reason;
  struct rtg_stun_pwalg_entry pe;
  uint16_t code, t;
  uint32_t v32;
  uint64_t v64;
  bool r;
  int rc;
  /* every decoder on every attribute: either the right type (must succeed:
   * parse already checked the layout) or RTG_ERR_INVAL */
  rc = rtg_stun_attr_addr(m, a, &ad, NULL);
  CHECK(rc == 0 || rc == RTG_ERR_INVAL);
  if (rc == 0) CHECK(ad.family == 1 || ad.family == 2);
  rc = rtg_stun_attr_error_code(a, &code, &reason, NULL);
  CHECK(rc == 0 || rc == RTG_ERR_INVAL);
  if (rc == 0) CHECK(code >= 300 && code <= 699 && reason.p + reason.len <= a->value + a->len);
  rc = rtg_stun_attr_u32(a, &v32, NULL);
  CHECK(rc == 0 || rc == RTG_ERR_INVAL);
  rc = rtg_stun_attr_u64(a, &v64, NULL);
  CHECK(rc == 0 || rc == RTG_ERR_INVAL);
  rc = rtg_stun_attr_even_port(a, &r, NULL);
  CHECK(rc == 0 || rc == RTG_ERR_INVAL);
  for (size_t i = 0;; i++) {
    rc = rtg_stun_attr_unknown_list(a, i, &t, NULL);
    CHECK(rc == 0 || rc == RTG_ERR_INVAL || rc == RTG_ERR_NOTFOUND);
    if (rc) break;
  }
  for (size_t i = 0;; i++) {
    rc = rtg_stun_attr_pwalg(a, i, &pe, NULL);
    CHECK(rc == 0 || rc == RTG_ERR_INVAL || rc == RTG_ERR_NOTFOUND);
    if (rc) break;
    CHECK(pe.params.p + pe.params.len <= a->value + a->len);
  }
  (void)rtg_stun_attr_name(a->type);
}

static void rebuild(const struct rtg_stun_msg *m) {
  static uint8_t buf[65600], want[65600];
  struct rtg_stun_builder b;
  struct rtg_stun_attr a;
  struct rtg_stun_msg m2;
  size_t pos = 0;
  ptrdiff_t n;
  CHECK(rtg_stun_builder_init(&b, buf, sizeof buf, m->cls, m->method, m->tid) == 0);
  memcpy(want, m->raw, m->len);
  while (rtg_stun_msg_attr_next(m, &pos, &a)) {
    size_t pad = ((4u - (a.len & 3u)) & 3u);
    CHECK(rtg_stun_builder_add(&b, a.type, a.value, a.len) == 0);
    /* the builder pads with zeros */
    memset(want + a.offset + 4 + a.len, 0, pad);
  }
  n = rtg_stun_builder_finish(&b);
  CHECK(n == (ptrdiff_t)m->len);
  CHECK(memcmp(buf, want, m->len) == 0);
  CHECK(rtg_stun_msg_parse(&m2, buf, (size_t)n, NULL) == 0);
  CHECK(m2.nattrs == m->nattrs && m2.type == m->type && m2.nunknown == m->nunknown);
  CHECK(m2.mi_off == m->mi_off && m2.mi256_off == m->mi256_off && m2.fp_off == m->fp_off);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct rtg_stun_msg m;
  struct rtg_stun_attr a;
  struct rtg_perr e;
  size_t pos = 0, count = 0;
  (void)rtg_stun_classify(data, size);
  rtg_perr_clear(&e);
  if (rtg_stun_msg_parse(&m, data, size, &e) != 0) {
    CHECK(e.field != NULL && e.reason != NULL && e.ref != NULL);
    CHECK(e.offset <= size || size < RTG_STUN_HDR_LEN);
    return 0;
  }
  CHECK(m.len == size && m.raw == data && m.cls < 4 && m.method <= 0xFFF);
  while (rtg_stun_msg_attr_next(&m, &pos, &a)) {
    CHECK(a.value >= data + RTG_STUN_HDR_LEN && a.value + a.len <= data + size);
    if (a.type == RTG_STUN_ATTR_MESSAGE_INTEGRITY) CHECK(m.mi_off == a.offset);
    if (a.type == RTG_STUN_ATTR_MESSAGE_INTEGRITY_SHA256) CHECK(m.mi256_off == a.offset);
    if (a.type == RTG_STUN_ATTR_FINGERPRINT) CHECK(m.fp_off == a.offset);
    accessors(&m, &a);
    count++;
  }
  CHECK(count == m.nattrs);
  CHECK(rtg_stun_msg_find(&m, RTG_STUN_ATTR_FINGERPRINT, &a) == (m.fp_off ? 0 : RTG_ERR_NOTFOUND));
  {
    int rc = rtg_stun_msg_check_fingerprint(&m, NULL);
    CHECK(rc == 0 || rc == RTG_ERR_AUTH || rc == RTG_ERR_NOTFOUND);
  }
  if (!m.legacy) rebuild(&m);
  return 0;
}
