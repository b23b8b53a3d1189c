/*
 * rtcp_parse - rtg_rtcp_parse on arbitrary bytes, in compound (RFC 3550
 * §A.2) and reduced-size (RFC 5506) modes, the first input byte choosing.
 * On success every accessor runs over every packet and must agree with the
 * validation the parser did (a validated packet never fails an accessor).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtg/rtp.h"
#include "rtg_fuzz.h"

static void twcc_cb(void *ud, uint16_t seq, uint8_t status, int32_t delta) {
  size_t *n = ud;
  (void)seq;
  (void)delta;
  CHECK(status <= 2);
  (*n)++;
}

static void ccfb_cb(void *ud, uint32_t ssrc, uint16_t seq, bool received, uint8_t ecn,
                    uint16_t ato) {
  size_t *n = ud;
  (void)ssrc;
  (void)seq;
  (void)received;
  CHECK(ecn <= 3 && ato <= 0x1fff);
  (*n)++;
}

static void walk(const struct rtg_rtcp_pkt *p) {
  struct rtg_rtcp_rb rb;
  struct rtg_rtcp_sdes_iter it;
  struct rtg_rtcp_sdes_item item;
  struct rtg_rtcp_remb remb;
  struct rtg_rtcp_twcc tw;
  struct rtg_rtcp_xr_block xb;
  struct rtg_rd xr;
  uint32_t s32;
  uint16_t a, b;
  uint64_t br;
  uint8_t u8;
  size_t n = 0;
  for (size_t i = 0; rtg_rtcp_rb_get(p, i, &rb) == 0; i++) CHECK(i < p->count);
  rtg_rtcp_sdes_begin(p, &it);
  while (rtg_rtcp_sdes_next(&it, &item) == 0) CHECK(item.type != 0);
  for (size_t i = 0; rtg_rtcp_bye_ssrc(p, i, &s32) == 0; i++) CHECK(i < p->count);
  for (size_t i = 0; rtg_rtcp_nack_get(p, i, &a, &b) == 0; i++) CHECK(i * 4 < p->fci.len);
  for (size_t i = 0; rtg_rtcp_fir_get(p, i, &s32, &u8) == 0; i++) CHECK(i * 8 < p->fci.len);
  for (size_t i = 0; rtg_rtcp_tmmb_get(p, i, &s32, &br, &a) == 0; i++) CHECK(i * 8 < p->fci.len);
  if (p->pt == RTG_RTCP_PSFB && p->count == RTG_PSFB_AFB && p->fci.len >= 4 &&
      memcmp(p->fci.p, "REMB", 4) == 0)
    CHECK(rtg_rtcp_remb_get(p, &remb) == 0);
  if (p->pt == RTG_RTCP_RTPFB && p->count == RTG_RTPFB_TWCC) {
    CHECK(rtg_rtcp_twcc_get(p, &tw, twcc_cb, &n, NULL) == 0);
    CHECK(n == tw.status_count);
  }
  if (p->pt == RTG_RTCP_RTPFB && p->count == RTG_RTPFB_CCFB)
    CHECK(rtg_rtcp_ccfb_get(p, &s32, ccfb_cb, &n, NULL) == 0);
  if (p->pt == RTG_RTCP_XR) {
    rtg_rd_init(&xr, p->items.p, p->items.len);
    while (rtg_rtcp_xr_next(&xr, &xb) == 0) {
    }
    CHECK(rtg_rd_empty(&xr));
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct rtg_rtcp_compound c;
  struct rtg_perr e = {0};
  unsigned flags;
  size_t total = 0;
  if (size < 1) return 0;
  flags = (data[0] & 1) ? RTG_RTCP_REDUCED_SIZE : 0;
  data++;
  size--;
  if (rtg_rtcp_parse(&c, data, size, flags, &e) != 0) {
    CHECK(e.field != NULL && e.offset <= size);
    return 0;
  }
  for (size_t i = 0; i < c.n; i++) {
    CHECK(c.pkt[i].offset == total);
    total += c.pkt[i].len;
    walk(&c.pkt[i]);
  }
  CHECK(total == size);
  return 0;
}
