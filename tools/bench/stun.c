/*
 * stun.c - `rtcgate bench stun`: parse + validate (MESSAGE-INTEGRITY with
 * the short-term password, FINGERPRINT) of the RFC 5769 §2.1 sample request,
 * against libnice's stun_agent_validate on the same bytes in the same run.
 */
#include <stdlib.h>
#include <string.h>
#include <stun/stunagent.h>

#include "bench/bench.h"
#include "rtg/stun.h"
#include "tests/stun_vectors.h" /* rfc5769_req: RFC 5769 §2.1 */

static const char username[] = "evtj:h6vY";
static const char password[] = "VOkJxbRl1RmTxUk/WvJxBt";

/* libnice rejects comprehension-required attributes it was not told about */
static const uint16_t known_attrs[] = {
    STUN_ATTRIBUTE_SOFTWARE,        STUN_ATTRIBUTE_PRIORITY,      STUN_ATTRIBUTE_ICE_CONTROLLED,
    STUN_ATTRIBUTE_USERNAME,        STUN_ATTRIBUTE_FINGERPRINT,   STUN_ATTRIBUTE_MESSAGE_INTEGRITY,
    STUN_ATTRIBUTE_ICE_CONTROLLING, STUN_ATTRIBUTE_USE_CANDIDATE, 0};

struct stun_st {
  uint8_t msg[sizeof rfc5769_req];
  struct rtg_stun_cred cred; /* keyed once */
  StunAgent agent;
  StunDefaultValidaterData vdata[2];
  volatile unsigned sink;
};

static int rtg_check(struct stun_st *s, const uint8_t *d) {
  struct rtg_stun_msg m;
  int rc = rtg_stun_msg_parse(&m, d, sizeof rfc5769_req, NULL);
  if (rc) return rc;
  return rtg_stun_msg_validate(&m, &s->cred,
                               RTG_STUN_REQUIRE_INTEGRITY | RTG_STUN_REQUIRE_FINGERPRINT, NULL);
}

static StunValidationStatus nice_check(struct stun_st *s, const uint8_t *d) {
  StunMessage m;
  return stun_agent_validate(&s->agent, &m, d, sizeof rfc5769_req, stun_agent_default_validater,
                             s->vdata);
}

static void stun_teardown(void *p) {
  struct stun_st *s = p;
  if (s == NULL) return;
  rtg_stun_cred_free(&s->cred);
  free(s);
}

static void *stun_setup(void) {
  struct stun_st *s = calloc(1, sizeof *s);
  uint8_t bad[sizeof rfc5769_req];
  if (s == NULL) return NULL;
  memcpy(s->msg, rfc5769_req, sizeof s->msg);
  if (rtg_stun_cred_init_short(&s->cred, password, strlen(password))) {
    free(s);
    return NULL;
  }
  stun_agent_init(&s->agent, known_attrs, STUN_COMPATIBILITY_RFC5389,
                  STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT);
  s->vdata[0].username = (uint8_t *)username;
  s->vdata[0].username_len = strlen(username);
  s->vdata[0].password = (uint8_t *)password;
  s->vdata[0].password_len = strlen(password);
  /* Both must accept the vector and both must reject it once the MAC is
   * wrong (FINGERPRINT repaired so that only integrity differs). */
  memcpy(bad, rfc5769_req, sizeof bad);
  bad[80] ^= 1;
  rtg_store_u32(bad + 104, rtg_crc32(0, bad, 100) ^ RTG_STUN_FP_XOR);
  if (rtg_check(s, s->msg) != 0 || nice_check(s, s->msg) != STUN_VALIDATION_SUCCESS ||
      rtg_check(s, bad) != RTG_ERR_AUTH || nice_check(s, bad) == STUN_VALIDATION_SUCCESS) {
    stun_teardown(s);
    return NULL;
  }
  return s;
}

static double validate_rtg(void *p, uint64_t n) {
  struct stun_st *s = p;
  unsigned acc = 0;
  for (uint64_t i = 0; i < n; i++)
    if (rtg_check(s, s->msg) != 0) return -1;
  s->sink = acc;
  return (double)n;
}

static double validate_base(void *p, uint64_t n) {
  struct stun_st *s = p;
  for (uint64_t i = 0; i < n; i++)
    if (nice_check(s, s->msg) != STUN_VALIDATION_SUCCESS) return -1;
  return (double)n;
}

static const struct rtg_bench_case cases[] = {
    {"parse+validate-rfc5769-2.1", "msg/s", "libnice stun_agent_validate", 3.0, stun_setup,
     stun_teardown, validate_rtg, validate_base},
};

const struct rtg_bench rtg_bench_stun = {
    "stun", "STUN parse + MESSAGE-INTEGRITY + FINGERPRINT validation vs libnice", cases,
    sizeof cases / sizeof cases[0], false};
