/*
 * sdp_answer - rtg_jsep_answer on any description rtg_sdp_parse accepts
 * (as a remote offer). An answer produced must validate, write, parse back
 * to the same lines, and keep the offer's m= line count and mids (RFC 8829
 * §5.3.1); a refusal must be one of the documented errors.
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/sdp.h"
#include "rtg_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct rtg_sdp offer, answer, back;
  static char out[2 * RTG_SDP_MAX_LEN];
  static const uint8_t fp[32] = {1, 2, 3};
  static const char *const cands[] = {"candidate:1 1 udp 2130706431 127.0.0.1 4000 typ host", NULL};
  static const char *const codecs[] = {"opus", "VP8", "VP9", "H264", NULL};
  struct rtg_jsep_local l;
  struct rtg_perr e;
  ptrdiff_t n;
  int rc;
  if (rtg_sdp_parse(&offer, (const char *)data, size, NULL)) return 0;
  memset(&l, 0, sizeof l);
  l.ice_ufrag = "fuzz";
  l.ice_pwd = "fuzzfuzzfuzzfuzzfuzzfuzz";
  l.fp_alg = RTG_HASH_SHA256;
  l.fp = fp;
  l.setup = size & 1 ? RTG_SDP_SETUP_ACTIVE : RTG_SDP_SETUP_PASSIVE;
  l.sess_id = 1;
  l.sess_version = 2;
  l.trickle = size & 2;
  l.candidates = cands;
  l.codecs = size & 4 ? codecs : NULL;
  l.msid_stream = size & 8 ? "s" : NULL;
  rtg_perr_clear(&e);
  rc = rtg_jsep_answer(&offer, &l, &answer, &e);
  if (rc) {
    CHECK(rc == RTG_ERR_UNSUPPORTED || rc == RTG_ERR_NOBUF || rc == RTG_ERR_PARSE);
    return 0;
  }
  CHECK(rtg_sdp_validate(&answer, NULL) == 0);
  CHECK(answer.nmedia == offer.nmedia);
  for (size_t m = 0; m < offer.nmedia; m++) {
    const char *om = rtg_sdp_attr_get(&offer, (int)m, "mid", false);
    const char *am = rtg_sdp_attr_get(&answer, (int)m, "mid", false);
    CHECK((om == NULL) == (am == NULL));
    CHECK(om == NULL || strcmp(om, am) == 0);
  }
  n = rtg_sdp_write(&answer, out, sizeof out);
  CHECK(n > 0);
  CHECK(rtg_sdp_parse(&back, out, (size_t)n, NULL) == 0);
  CHECK(back.nlines == answer.nlines);
  return 0;
}
