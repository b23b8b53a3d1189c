/*
 * stun_diff - differential target: rtcgate's STUN codec against libnice on
 * the same bytes. A disagreement on validity that is not one of the
 * documented allowed differences below aborts (a finding).
 *
 * 1. Framing: libnice's stun_message_validate_buffer_length (has_padding)
 *    vs rtg_stun_msg_parse. libnice checks framing only (top bits, length
 *    multiple of 4, TLVs inside the message), so:
 *      - rtcgate accepts  => libnice must return exactly the datagram size;
 *      - libnice accepts the whole datagram but rtcgate rejects: allowed
 *        only when rtcgate's reason is one libnice does not check: an
 *        attribute's value layout (field "stun.<ATTRIBUTE>", RFC 8489 §14,
 *        RFC 8656 §18, RFC 8445 §16.1) or the attribute order rules
 *        (field "stun.attr.order", RFC 8489 §14.5-§14.7).
 *      - libnice returning less than the datagram (trailing bytes) while
 *        rtcgate rejects with "datagram has bytes after the message": a
 *        framing choice (rtcgate takes one message per UDP datagram).
 * 2. Authentication of requests: libnice's stun_agent_validate (RFC 5389
 *    compatibility, short-term credentials, FINGERPRINT usage, our known
 *    attributes) with its default validater vs rtg_stun_msg_parse +
 *    rtg_stun_msg_validate (integrity and FINGERPRINT required, as the
 *    agent's FINGERPRINT usage requires them). Compared on RFC 5389
 *    requests (cookie present) that rtcgate parses, with a USERNAME equal
 *    to the expected one, no unknown comprehension-required attribute,
 *    no MESSAGE-INTEGRITY-SHA256 (RFC 8489 only, unknown to libnice) and
 *    a MESSAGE-INTEGRITY: then both must agree.
 *
 * The custom mutator keeps MESSAGE-INTEGRITY and FINGERPRINT valid under
 * RTG_FUZZ_STUN_PASSWORD so that part 2 sees both verdicts.
 */
#include <stdlib.h>
#include <string.h>
#include <stun/stunagent.h>

#include "rtg/stun.h"
#include "rtg_fuzz.h"

RTG_FUZZ_FIXUP_MUTATOR(rtg_fuzz_fix_stun)

static const char username[] = "rtcgate:fuzz";

/* libnice answers UNKNOWN_REQUEST_ATTRIBUTE for comprehension-required
 * types not in this list: give it every type rtcgate knows in an RFC 8489
 * message, so that "unknown" means the same on both sides (stun_diff
 * finding: PASSWORD-ALGORITHM was unknown to libnice only). */
static const uint16_t known_attrs[] = {
    0x0001, 0x0003, 0x0006, 0x0008, 0x0009, 0x000A, 0x000C, 0x000D, 0x0012, 0x0013, 0x0014,
    0x0015, 0x0016, 0x0017, 0x0018, 0x0019, 0x001A, 0x001C, 0x001D, 0x001E, 0x0020, 0x0022,
    0x0024, 0x0025, 0x8002, 0x8003, 0x8022, 0x8023, 0x8028, 0x8029, 0x802A, 0};

static bool allowed_parse_reason(const struct rtg_perr *e) {
  if (e->field == NULL) return false;
  if (strcmp(e->field, "stun.attr.order") == 0) return true;
  /* value layout of a known attribute: "stun.<NAME>" (upper case) */
  return strncmp(e->field, "stun.", 5) == 0 && e->field[5] >= 'A' && e->field[5] <= 'Z';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct rtg_stun_cred cred;
  static bool ready;
  struct rtg_stun_msg m;
  struct rtg_perr e;
  struct rtg_stun_attr at;
  int nice_len, rc;
  if (!ready) {
    CHECK(rtg_stun_cred_init_short(&cred, RTG_FUZZ_STUN_PASSWORD, strlen(RTG_FUZZ_STUN_PASSWORD)) ==
          0);
    ready = true;
  }
  /* 1. framing */
  nice_len = stun_message_validate_buffer_length(data, size, true);
  rtg_perr_clear(&e);
  rc = rtg_stun_msg_parse(&m, data, size, &e);
  if (rc == 0) {
    CHECK(nice_len == (int)size);
  } else if (nice_len == (int)size) {
    CHECK(allowed_parse_reason(&e));
  } else if (nice_len > 0) {
    CHECK(e.reason != NULL && strcmp(e.reason, "datagram has bytes after the message") == 0);
  }
  if (rc) return 0;

  /* 2. authentication of requests */
  if (m.legacy || m.cls != RTG_STUN_REQUEST || m.nunknown || m.mi256_off || m.mi_off == 0) return 0;
  if (rtg_stun_msg_find(&m, RTG_STUN_ATTR_USERNAME, &at) || at.len != sizeof username - 1 ||
      memcmp(at.value, username, at.len) != 0)
    return 0;
  {
    StunAgent agent;
    StunMessage nm;
    StunDefaultValidaterData vd[2];
    StunValidationStatus st;
    bool ours;
    memset(vd, 0, sizeof vd);
    vd[0].username = (uint8_t *)username;
    vd[0].username_len = sizeof username - 1;
    vd[0].password = (uint8_t *)RTG_FUZZ_STUN_PASSWORD;
    vd[0].password_len = strlen(RTG_FUZZ_STUN_PASSWORD);
    stun_agent_init(&agent, known_attrs, STUN_COMPATIBILITY_RFC5389,
                    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT);
    st = stun_agent_validate(&agent, &nm, data, size, stun_agent_default_validater, vd);
    /* the agent's FINGERPRINT usage makes it required: same flags here */
    ours = rtg_stun_msg_validate(
               &m, &cred, RTG_STUN_REQUIRE_INTEGRITY | RTG_STUN_REQUIRE_FINGERPRINT, NULL) == 0;
    CHECK(ours == (st == STUN_VALIDATION_SUCCESS));
  }
  return 0;
}
