/*
 * dtls_record - one datagram through the DTLS record layer (1.2 headers,
 * RFC 9146 CID records, 1.3 unified headers), then every epoch-0 handshake
 * fragment, message body and extension, alert, CCS and ACK in it.
 *
 * Input: byte 0 selects the connection ID length (0..15), the rest is the
 * datagram. Invariants: parsed records cover the datagram exactly and write
 * back to the same bytes; parse errors always say where and what.
 */
#include <stdlib.h>
#include <string.h>

#include "rtg/dtls.h"
#include "rtg_fuzz.h"

/* gcc does not let (void) discard a warn_unused_result value. */
static int sink;

static void exts(const struct rtg_dtls_exts *x, uint8_t msg, bool hrr) {
  struct rtg_perr perr;
  rtg_perr_clear(&perr);
  if (rtg_dtls_exts_validate(x, msg, hrr, &perr)) CHECK(perr.field != NULL);
}

static void body(uint8_t type, struct rtg_slice b, const uint8_t *base, bool tls13) {
  static struct rtg_dtls_hs_msg m; /* large: keep it off the stack */
  struct rtg_rd rd = {b.p, b.p + b.len, base};
  struct rtg_perr perr;
  uint8_t out[4096];
  struct rtg_wr wr;
  rtg_perr_clear(&perr);
  if (rtg_dtls_hs_body_parse(type, &rd, tls13, &m, &perr)) {
    CHECK(perr.field != NULL && perr.offset <= (size_t)(b.p + b.len - base));
    return;
  }
  rtg_wr_init(&wr, out, sizeof out);
  switch (type) {
    case RTG_DTLS_HS_CLIENT_HELLO:
      exts(&m.u.ch.exts, type, false);
      if (rtg_dtls_client_hello_write(&wr, &m.u.ch) == 0)
        CHECK(rtg_wr_len(&wr) == b.len && !memcmp(out, b.p, b.len));
      break;
    case RTG_DTLS_HS_SERVER_HELLO:
      exts(&m.u.sh.exts, type, m.u.sh.hrr);
      if (rtg_dtls_server_hello_write(&wr, &m.u.sh) == 0)
        CHECK(rtg_wr_len(&wr) == b.len && !memcmp(out, b.p, b.len));
      break;
    case RTG_DTLS_HS_HELLO_VERIFY_REQUEST:
      if (rtg_dtls_hello_verify_write(&wr, &m.u.hvr) == 0)
        CHECK(rtg_wr_len(&wr) == b.len && !memcmp(out, b.p, b.len));
      break;
    case RTG_DTLS_HS_ENCRYPTED_EXTENSIONS: exts(&m.u.ee, type, false); break;
    case RTG_DTLS_HS_NEW_SESSION_TICKET: exts(&m.u.nst.exts, type, false); break;
    default: break;
  }
}

static void record(const struct rtg_dtls_record *rec, const uint8_t *base) {
  struct rtg_rd rd = {rec->payload.p, rec->payload.p + rec->payload.len, base};
  struct rtg_perr perr;
  if (rec->unified || rec->epoch != 0) return;
  rtg_perr_clear(&perr);
  switch (rec->type) {
    case RTG_DTLS_CT_HANDSHAKE:
      while (!rtg_rd_empty(&rd)) {
        struct rtg_dtls_hs_frag f;
        if (rtg_dtls_hs_frag_parse(&rd, &f, &perr)) break;
        if (f.frag_off == 0 && f.frag_len == f.length) {
          body(f.msg_type, f.body, base, false);
          body(f.msg_type, f.body, base, true);
        }
      }
      break;
    case RTG_DTLS_CT_ALERT: {
      struct rtg_dtls_alert a;
      sink += rtg_dtls_alert_parse(&rd, &a, &perr);
      break;
    }
    case RTG_DTLS_CT_CCS: sink += rtg_dtls_ccs_parse(&rd, &perr); break;
    case RTG_DTLS_CT_ACK: {
      struct rtg_dtls_ack a;
      if (rtg_dtls_ack_parse(&rd, &a, &perr) == 0) {
        uint8_t out[1100];
        struct rtg_wr wr;
        rtg_wr_init(&wr, out, sizeof out);
        CHECK(rtg_dtls_ack_write(&wr, &a) == 0);
        CHECK(rtg_wr_len(&wr) == rec->payload.len &&
              !memcmp(out, rec->payload.p, rec->payload.len));
      }
      break;
    }
    default: break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct rtg_dtls_record recs[64];
  static uint8_t out[70000];
  struct rtg_perr perr;
  struct rtg_wr wr;
  size_t n = 0, cid_len;
  int rc;
  if (size < 1) return 0;
  cid_len = data[0] & 15u;
  data++;
  size--;
  rtg_perr_clear(&perr);
  rc = rtg_dtls_datagram_parse(data, size, cid_len, recs, 64, &n, &perr);
  CHECK(rc == 0 || rc == RTG_ERR_PARSE || rc == RTG_ERR_NOBUF);
  if (rc == RTG_ERR_PARSE) CHECK(perr.field != NULL && perr.offset <= size);
  rtg_wr_init(&wr, out, sizeof out);
  for (size_t i = 0; i < n; i++) {
    CHECK(recs[i].offset == rtg_wr_len(&wr));
    CHECK(rtg_dtls_record_write(&wr, &recs[i]) == 0);
    CHECK(!memcmp(out + recs[i].offset, data + recs[i].offset, rtg_wr_len(&wr) - recs[i].offset));
    record(&recs[i], data);
  }
  if (rc == 0) CHECK(rtg_wr_len(&wr) == size);
  return 0;
}
