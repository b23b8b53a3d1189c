/*
 * rtp_parse - rtg_rtp_parse on arbitrary bytes. On success: every typed
 * accessor runs on every element id, and the header re-serialised with
 * rtg_rtp_write must parse back to the same fields and payload.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtg/rtp.h"
#include "rtg_fuzz.h"

static void accessors(const struct rtg_rtp_hdr *h) {
  char s[256];
  uint32_t v32;
  uint16_t a, b;
  bool x, y;
  uint8_t lvl;
  struct rtg_slice raw;
  for (size_t i = 0; i < h->n_ext; i++) {
    uint8_t id = h->ext[i].id;
    (void)!rtg_rtp_ext_mid(h, id, s, sizeof s);
    (void)!rtg_rtp_ext_rid(h, id, s, sizeof s);
    (void)!rtg_rtp_ext_abs_send_time(h, id, &v32);
    (void)!rtg_rtp_ext_transport_cc(h, id, &a);
    (void)!rtg_rtp_ext_audio_level(h, id, &x, &lvl);
    (void)!rtg_rtp_ext_video_orientation(h, id, &x, &y, &a);
    (void)!rtg_rtp_ext_playout_delay(h, id, &a, &b);
    (void)!rtg_rtp_ext_dependency_descriptor(h, id, &raw);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct rtg_rtp_hdr h, back;
  struct rtg_perr e = {0};
  static uint8_t buf[70000];
  ptrdiff_t n;
  if (rtg_rtp_parse(&h, data, size, &e) != 0) {
    CHECK(e.field != NULL && e.offset <= size);
    return 0;
  }
  CHECK(h.header_len + h.payload.len + h.pad_len == size);
  accessors(&h);
  n = rtg_rtp_write(&h, h.payload.p, h.payload.len, buf, sizeof buf);
  if (n == RTG_ERR_INVAL) return 0; /* e.g. an element the writer cannot express */
  CHECK(n > 0);
  CHECK(rtg_rtp_parse(&back, buf, (size_t)n, NULL) == 0);
  CHECK(back.seq == h.seq && back.ts == h.ts && back.ssrc == h.ssrc && back.pt == h.pt);
  CHECK(back.marker == h.marker && back.cc == h.cc && back.pad_len == h.pad_len);
  CHECK(memcmp(back.csrc, h.csrc, sizeof h.csrc) == 0);
  CHECK(back.payload.len == h.payload.len);
  CHECK(h.payload.len == 0 || memcmp(back.payload.p, h.payload.p, h.payload.len) == 0);
  CHECK(back.n_ext == h.n_ext);
  for (size_t i = 0; i < h.n_ext; i++) {
    CHECK(back.ext[i].id == h.ext[i].id && back.ext[i].len == h.ext[i].len);
    CHECK(h.ext[i].len == 0 || memcmp(back.ext[i].data, h.ext[i].data, h.ext[i].len) == 0);
  }
  return 0;
}
