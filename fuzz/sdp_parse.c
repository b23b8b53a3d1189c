/*
 * sdp_parse - rtg_sdp_parse on arbitrary text. An accepted description must
 * write back, re-parse to the same lines and write the same text again, and
 * every typed view of every known attribute must succeed on it (parse
 * validated them). A refused one must say what and where.
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/sdp.h"
#include "rtg_fuzz.h"

static void check_views(const struct rtg_sdp *s) {
  struct rtg_sdp_rtpmap r;
  struct rtg_sdp_pt_value pv;
  struct rtg_sdp_candidate c;
  struct rtg_sdp_fingerprint f;
  struct rtg_sdp_extmap x;
  struct rtg_sdp_ssrc ss;
  struct rtg_sdp_group g;
  struct rtg_sdp_rid rid;
  struct rtg_sdp_msid m;
  struct rtg_sdp_mline ml;
  struct rtg_sdp_origin o;
  uint64_t n;
  CHECK(rtg_sdp_get_origin(s, &o) == 0);
  for (size_t k = 0; k < s->nmedia; k++) {
    CHECK(rtg_sdp_get_mline(s, (int)k, &ml) == 0);
    (void)rtg_sdp_direction(s, (int)k);
  }
  for (size_t i = 0; i < s->nlines; i++) {
    if (rtg_sdp_attr_is(s, i, "rtpmap")) CHECK(rtg_sdp_get_rtpmap(s, i, &r) == 0);
    if (rtg_sdp_attr_is(s, i, "fmtp")) CHECK(rtg_sdp_get_fmtp(s, i, &pv) == 0);
    if (rtg_sdp_attr_is(s, i, "rtcp-fb")) CHECK(rtg_sdp_get_rtcp_fb(s, i, &pv) == 0);
    if (rtg_sdp_attr_is(s, i, "candidate")) {
      const char *v = rtg_sdp_attr_value(s, i);
      CHECK(rtg_sdp_get_candidate(s, i, &c) == 0);
      CHECK(rtg_sdp_candidate_parse(v, strlen(v), &c, NULL) == 0);
      {
        /* typed round trip: write, parse back, same fields */
        static char cw[2 * RTG_SDP_MAX_LEN];
        struct rtg_sdp_candidate c2;
        ptrdiff_t wn = rtg_sdp_candidate_write(&c, cw, sizeof cw);
        CHECK(wn > 0);
        CHECK(rtg_sdp_candidate_parse(cw, (size_t)wn, &c2, NULL) == 0);
        struct rtg_ice_cand ic;
        if (rtg_sdp_candidate_to_ice(&c, &ic) == 0) {
          wn = rtg_sdp_candidate_write_ice(&ic, cw, sizeof cw);
          CHECK(wn > 0);
          CHECK(rtg_sdp_candidate_parse(cw, (size_t)wn, &c2, NULL) == 0);
          CHECK(c2.port == c.port && c2.priority == c.priority && c2.type == c.type);
          wn = rtg_sdp_candidate_write(&c, cw, sizeof cw);
          CHECK(rtg_sdp_candidate_parse(cw, (size_t)wn, &c2, NULL) == 0);
        }
        CHECK(c2.component == c.component && c2.priority == c.priority && c2.port == c.port &&
              c2.type == c.type && c2.tcptype == c.tcptype && c2.next == c.next &&
              c2.has_raddr == c.has_raddr && c2.has_rport == c.has_rport && c2.rport == c.rport);
      }
    }
    if (rtg_sdp_attr_is(s, i, "fingerprint")) CHECK(rtg_sdp_get_fingerprint(s, i, &f) == 0);
    if (rtg_sdp_attr_is(s, i, "extmap")) CHECK(rtg_sdp_get_extmap(s, i, &x) == 0);
    if (rtg_sdp_attr_is(s, i, "ssrc")) CHECK(rtg_sdp_get_ssrc(s, i, &ss) == 0);
    if (rtg_sdp_attr_is(s, i, "group") || rtg_sdp_attr_is(s, i, "ssrc-group"))
      CHECK(rtg_sdp_get_group(s, i, &g) == 0);
    if (rtg_sdp_attr_is(s, i, "rid")) CHECK(rtg_sdp_get_rid(s, i, &rid) == 0);
    if (rtg_sdp_attr_is(s, i, "msid")) CHECK(rtg_sdp_get_msid(s, i, &m) == 0);
    if (rtg_sdp_attr_is(s, i, "setup")) CHECK(rtg_sdp_get_setup(s, i) != RTG_SDP_SETUP_NONE);
    if (rtg_sdp_attr_is(s, i, "sctp-port") || rtg_sdp_attr_is(s, i, "max-message-size") ||
        rtg_sdp_attr_is(s, i, "rtcp"))
      CHECK(rtg_sdp_get_number(s, i, &n) == 0);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct rtg_sdp a, b;
  static char out[2 * RTG_SDP_MAX_LEN + 4 * RTG_SDP_MAX_LINES], out2[sizeof out];
  struct rtg_perr e;
  ptrdiff_t n, n2;
  int rc = rtg_sdp_parse(&a, (const char *)data, size, &e);
  if (rc) {
    CHECK(rc == RTG_ERR_PARSE || rc == RTG_ERR_NOBUF);
    CHECK(e.field != NULL && e.reason != NULL);
    CHECK(rc == RTG_ERR_NOBUF || e.offset <= size);
    return 0;
  }
  check_views(&a);
  n = rtg_sdp_write(&a, out, sizeof out);
  CHECK(n > 0);
  /* mixed line ends are written with the first line's: CRLF may grow it */
  if (n > RTG_SDP_MAX_LEN) return 0;
  CHECK(rtg_sdp_parse(&b, out, (size_t)n, &e) == 0);
  CHECK(b.nlines == a.nlines && b.nmedia == a.nmedia);
  n2 = rtg_sdp_write(&b, out2, sizeof out2);
  CHECK(n2 == n && memcmp(out, out2, (size_t)n) == 0);
  return 0;
}
