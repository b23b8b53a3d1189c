/*
 * dtls_handshake - handshake fragment reassembly and message parsing
 * (RFC 6347 §4.2.2-4.2.3, RFC 9147 §5).
 *
 * Input: byte 0 holds flags (bit 0: parse DTLS 1.3 layouts; bits 1-3: the
 * first message_seq expected), the rest is a stream of handshake fragments
 * as they appear in record payloads. Every fragment goes to the
 * reassembler; every message it completes is parsed, with its extensions.
 * Invariants: messages come out in message_seq order with the announced
 * length, and parse errors always say where.
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/dtls.h"
#include "rtg_fuzz.h"

static void check_exts(const struct rtg_dtls_exts *x, uint8_t msg, bool hrr) {
  struct rtg_perr perr;
  rtg_perr_clear(&perr);
  if (rtg_dtls_exts_validate(x, msg, hrr, &perr)) CHECK(perr.field != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct rtg_dtls_reasm r;
  static struct rtg_dtls_hs_msg m;
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  struct rtg_rd rd;
  bool tls13;
  uint16_t expect;
  if (size < 1) return 0;
  tls13 = data[0] & 1u;
  expect = (uint16_t)((data[0] >> 1) & 7u);
  rtg_ctx_deterministic(&ctx, &prng, 1, NULL);
  rtg_dtls_reasm_init(&r, &ctx, expect);
  rtg_rd_init(&rd, data + 1, size - 1);
  while (!rtg_rd_empty(&rd)) {
    struct rtg_dtls_hs_frag f;
    struct rtg_dtls_hs_raw raw;
    struct rtg_perr perr;
    int rc;
    rtg_perr_clear(&perr);
    if (rtg_dtls_hs_frag_parse(&rd, &f, &perr)) {
      CHECK(perr.field != NULL);
      break;
    }
    rc = rtg_dtls_reasm_add(&r, &f, &perr);
    CHECK(rc == 0 || rc == RTG_ERR_REPLAY || rc == RTG_ERR_PARSE || rc == RTG_ERR_UNSUPPORTED);
    if (rc == RTG_ERR_PARSE) CHECK(perr.field != NULL);
    while (rtg_dtls_reasm_next(&r, &raw) == 0) {
      struct rtg_rd body = {raw.body.p, raw.body.p + raw.body.len, raw.body.p};
      CHECK(raw.msg_seq == expect);
      expect++;
      if (rtg_dtls_hs_body_parse(raw.msg_type, &body, tls13, &m, NULL)) continue;
      switch (raw.msg_type) {
        case RTG_DTLS_HS_CLIENT_HELLO: check_exts(&m.u.ch.exts, raw.msg_type, false); break;
        case RTG_DTLS_HS_SERVER_HELLO: check_exts(&m.u.sh.exts, raw.msg_type, m.u.sh.hrr); break;
        case RTG_DTLS_HS_ENCRYPTED_EXTENSIONS: check_exts(&m.u.ee, raw.msg_type, false); break;
        case RTG_DTLS_HS_NEW_SESSION_TICKET: check_exts(&m.u.nst.exts, raw.msg_type, false); break;
        default: break;
      }
    }
  }
  rtg_dtls_reasm_free(&r);
  return 0;
}
