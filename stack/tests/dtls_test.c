/*
 * dtls_test.c - DTLS codec: records (1.2 and 1.3 unified headers), handshake
 * fragments and reassembly, handshake messages and extensions, alerts, CCS,
 * ACK.
 *
 * Recorded handshakes live in stack/dtls/testdata/ (see its README): DTLS 1.2
 * sessions between two OpenSSL 3.0 endpoints over memory BIOs, generated for
 * this project.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rtg/dtls.h"
#include "test_util.h"

struct blob {
  uint8_t d[8192];
  size_t n;
};

static void load(const char *rel, struct blob *b) {
  b->n = tu_load(b->d, sizeof b->d, "stack/dtls/testdata/%s", rel);
}

/* ---- records --------------------------------------------------------------- */

/* Every datagram of a recorded DTLS 1.2 session parses into records that
 * cover it exactly, and writing each record back gives the same bytes. */
static void test_dtls_record_parse_recorded_round_trip(void **state) {
  static const char *const files[] = {"dtls12-gcm/00-c.bin",     "dtls12-gcm/01-s.bin",
                                      "dtls12-gcm/02-c.bin",     "dtls12-gcm/03-s.bin",
                                      "dtls12-gcm/04-c.bin",     "dtls12-gcm/05-s.bin",
                                      "dtls12-gcm/06-c-app.bin", "dtls12-gcm/08-c-close.bin"};
  (void)state;
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    struct blob b;
    struct rtg_dtls_record recs[16];
    size_t n = 0, total = 0;
    struct rtg_perr perr;
    uint8_t out[8192];
    struct rtg_wr wr;
    load(files[i], &b);
    rtg_perr_clear(&perr);
    assert_int_equal(rtg_dtls_datagram_parse(b.d, b.n, 0, recs, 16, &n, &perr), 0);
    assert_true(n >= 1);
    rtg_wr_init(&wr, out, sizeof out);
    for (size_t k = 0; k < n; k++) {
      assert_false(recs[k].unified);
      assert_int_equal(recs[k].header.len, 13);
      assert_int_equal(recs[k].offset, total);
      total += recs[k].header.len + recs[k].payload.len;
      assert_int_equal(rtg_dtls_record_write(&wr, &recs[k]), 0);
    }
    assert_int_equal(total, b.n);
    assert_int_equal(rtg_wr_len(&wr), b.n);
    assert_memory_equal(out, b.d, b.n);
  }
}

/* The first datagram is the client's ClientHello: DTLS 1.0 record version
 * (RFC 6347 §4.1 allows it for the first flight), epoch 0, seq 0. */
static void test_dtls_record_parse_client_hello_header(void **state) {
  struct blob b;
  struct rtg_rd rd;
  struct rtg_dtls_record rec;
  (void)state;
  load("dtls12-gcm/00-c.bin", &b);
  rtg_rd_init(&rd, b.d, b.n);
  assert_int_equal(rtg_dtls_record_parse(&rd, 0, &rec, NULL), 0);
  assert_int_equal(rec.type, RTG_DTLS_CT_HANDSHAKE);
  assert_int_equal(rec.version, RTG_DTLS_V10);
  assert_int_equal(rec.epoch, 0);
  assert_true(rec.seq == 0);
  assert_int_equal(rec.payload.len, rtg_load_u16(b.d + 11));
}

/* Every strict prefix of a record is rejected with RTG_ERR_PARSE and the
 * cursor does not move. */
static void test_dtls_record_parse_truncation_sweep(void **state) {
  struct blob b;
  (void)state;
  load("dtls12-gcm/00-c.bin", &b);
  for (size_t len = 0; len < b.n; len++) {
    struct rtg_rd rd;
    struct rtg_dtls_record rec;
    struct rtg_perr perr;
    rtg_perr_clear(&perr);
    rtg_rd_init(&rd, b.d, len);
    assert_int_equal(rtg_dtls_record_parse(&rd, 0, &rec, &perr), RTG_ERR_PARSE);
    assert_ptr_equal(rd.p, b.d);
    assert_non_null(perr.field);
  }
}

static void test_dtls_record_parse_malformed(void **state) {
  /* version 0x0303 is TLS, not DTLS */
  static const uint8_t badver[] = {0x16, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xaa};
  /* length 5 but only 2 payload bytes */
  static const uint8_t overrun[] = {0x17, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 7, 0, 5, 1, 2};
  /* content type 99 */
  static const uint8_t badtype[] = {99, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  struct rtg_dtls_record recs[4];
  struct rtg_perr perr;
  size_t n;
  (void)state;
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_datagram_parse(badver, sizeof badver, 0, recs, 4, &n, &perr),
                   RTG_ERR_PARSE);
  assert_int_equal(perr.offset, 1);
  assert_string_equal(perr.field, "dtls.record.version");
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_datagram_parse(overrun, sizeof overrun, 0, recs, 4, &n, &perr),
                   RTG_ERR_PARSE);
  assert_int_equal(perr.offset, 11);
  assert_string_equal(perr.field, "dtls.record.length");
  assert_string_equal(perr.reason, "record overruns datagram");
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_datagram_parse(badtype, sizeof badtype, 0, recs, 4, &n, &perr),
                   RTG_ERR_PARSE);
  assert_string_equal(perr.field, "dtls.record.type");
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_datagram_parse(badtype, 0, 0, recs, 4, &n, &perr), RTG_ERR_PARSE);
  assert_string_equal(perr.field, "dtls.datagram");
}

/* DTLS 1.3 unified headers (RFC 9147 §4): 16-bit seq with length, 8-bit
 * seq with CID and no length (fills the datagram), in one datagram. */
static void test_dtls_record_unified_round_trip(void **state) {
  static const uint8_t dg[] = {/* 0 0 1 C=0 S=1 L=1 E=11: seq 0x1234, length 17 */
                               0x2f, 0x12, 0x34, 0x00, 0x11, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5,
                               0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0,
                               /* 0 0 1 C=1 S=0 L=0 E=10: cid 4 bytes, seq 0x56, rest is payload */
                               0x32, 0xc1, 0xc2, 0xc3, 0xc4, 0x56, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4,
                               0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf};
  struct rtg_dtls_record recs[4];
  size_t n;
  uint8_t out[64];
  struct rtg_wr wr;
  struct rtg_perr perr;
  (void)state;
  assert_int_equal(rtg_dtls_datagram_parse(dg, sizeof dg, 4, recs, 4, &n, NULL), 0);
  assert_int_equal(n, 2);
  assert_true(recs[0].unified && recs[0].has_length && !recs[0].has_cid);
  assert_int_equal(recs[0].epoch, 3);
  assert_true(recs[0].seq == 0x1234 && recs[0].seq_len == 2);
  assert_int_equal(recs[0].payload.len, 17);
  assert_true(recs[1].unified && !recs[1].has_length && recs[1].has_cid);
  assert_int_equal(recs[1].epoch, 2);
  assert_int_equal(recs[1].cid.len, 4);
  assert_true(recs[1].seq == 0x56 && recs[1].seq_len == 1);
  assert_int_equal(recs[1].payload.len, 16);
  rtg_wr_init(&wr, out, sizeof out);
  assert_int_equal(rtg_dtls_record_write(&wr, &recs[0]), 0);
  assert_int_equal(rtg_dtls_record_write(&wr, &recs[1]), 0);
  assert_int_equal(rtg_wr_len(&wr), sizeof dg);
  assert_memory_equal(out, dg, sizeof dg);
  /* Truncation: every prefix of the first (length-carrying) record. */
  for (size_t len = 0; len < 22; len++) {
    struct rtg_rd rd;
    rtg_rd_init(&rd, dg, len);
    assert_int_equal(rtg_dtls_record_parse(&rd, 4, &recs[0], NULL), RTG_ERR_PARSE);
  }
  /* C bit with no negotiated CID length. */
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_datagram_parse(dg + 22, sizeof dg - 22, 0, recs, 4, &n, &perr),
                   RTG_ERR_PARSE);
  assert_string_equal(perr.field, "dtls.record.cid_bit");
  assert_int_equal(perr.offset, 0);
}

/* DTLS 1.2 with a connection ID (RFC 9146 §4, content type 25). */
static void test_dtls_record_tls12_cid_round_trip(void **state) {
  static const uint8_t dg[] = {0x19, 0xfe, 0xfd, 0x00, 0x01, 0,    0,    0,    0,   0,
                               9,    0xc0, 0xc1, 0xc2, 0x00, 0x03, 0x01, 0x02, 0x03};
  struct rtg_dtls_record rec;
  struct rtg_rd rd;
  uint8_t out[32];
  struct rtg_wr wr;
  (void)state;
  rtg_rd_init(&rd, dg, sizeof dg);
  assert_int_equal(rtg_dtls_record_parse(&rd, 3, &rec, NULL), 0);
  assert_true(rec.has_cid && rec.cid.len == 3 && rec.cid.p[0] == 0xc0);
  assert_int_equal(rec.header.len, 16);
  assert_int_equal(rec.payload.len, 3);
  rtg_wr_init(&wr, out, sizeof out);
  assert_int_equal(rtg_dtls_record_write(&wr, &rec), 0);
  assert_memory_equal(out, dg, sizeof dg);
}

/* ---- handshake fragments and reassembly --------------------------------------- */

static void test_dtls_hs_frag_parse_round_trip_and_truncation(void **state) {
  struct blob b;
  struct rtg_rd rd;
  struct rtg_dtls_hs_frag f;
  uint8_t out[4096];
  struct rtg_wr wr;
  const uint8_t *payload;
  size_t plen;
  (void)state;
  load("dtls12-gcm/00-c.bin", &b);
  payload = b.d + 13;
  plen = b.n - 13;
  rtg_rd_init(&rd, payload, plen);
  assert_int_equal(rtg_dtls_hs_frag_parse(&rd, &f, NULL), 0);
  assert_int_equal(f.msg_type, RTG_DTLS_HS_CLIENT_HELLO);
  assert_int_equal(f.frag_off, 0);
  assert_int_equal(f.frag_len, f.length);
  assert_true(rtg_rd_empty(&rd));
  rtg_wr_init(&wr, out, sizeof out);
  assert_int_equal(rtg_dtls_hs_frag_write(&wr, &f), 0);
  assert_int_equal(rtg_wr_len(&wr), plen);
  assert_memory_equal(out, payload, plen);
  for (size_t len = 0; len < plen; len++) {
    rtg_rd_init(&rd, payload, len);
    assert_int_equal(rtg_dtls_hs_frag_parse(&rd, &f, NULL), RTG_ERR_PARSE);
    assert_ptr_equal(rd.p, payload);
  }
}

static void test_dtls_hs_frag_parse_malformed(void **state) {
  /* fragment_offset 8 + fragment_length 4 > length 10 */
  static const uint8_t bad[] = {0x0b, 0, 0, 10, 0, 1, 0, 0, 8, 0, 0, 4, 1, 2, 3, 4};
  struct rtg_rd rd;
  struct rtg_dtls_hs_frag f;
  struct rtg_perr perr;
  (void)state;
  rtg_perr_clear(&perr);
  rtg_rd_init(&rd, bad, sizeof bad);
  assert_int_equal(rtg_dtls_hs_frag_parse(&rd, &f, &perr), RTG_ERR_PARSE);
  assert_int_equal(perr.offset, 9);
  assert_string_equal(perr.field, "dtls.hs.fragment_length");
  assert_string_equal(perr.reason, "fragment extends past message length");
}

/* Finds the server's Certificate message in the recorded flight. */
static void find_server_certificate(struct blob *b, struct rtg_dtls_hs_frag *cert) {
  struct rtg_dtls_record recs[16];
  size_t n;
  load("dtls12-gcm/03-s.bin", b);
  assert_int_equal(rtg_dtls_datagram_parse(b->d, b->n, 0, recs, 16, &n, NULL), 0);
  for (size_t i = 0; i < n; i++) {
    struct rtg_rd rd;
    rd.p = recs[i].payload.p;
    rd.end = rd.p + recs[i].payload.len;
    rd.base = b->d;
    while (!rtg_rd_empty(&rd)) {
      struct rtg_dtls_hs_frag f;
      assert_int_equal(rtg_dtls_hs_frag_parse(&rd, &f, NULL), 0);
      if (f.msg_type == RTG_DTLS_HS_CERTIFICATE) {
        *cert = f;
        return;
      }
    }
  }
  fail_msg("no Certificate in the server flight");
}

static struct rtg_dtls_hs_frag sub_frag(const struct rtg_dtls_hs_frag *m, uint32_t off,
                                        uint32_t len) {
  struct rtg_dtls_hs_frag f = *m;
  f.frag_off = off;
  f.frag_len = len;
  f.body.p = m->body.p + off;
  f.body.len = len;
  return f;
}

/* Fragments out of order, duplicated and overlapping, plus a message of the
 * next seq arriving first: both come out whole and in order; a
 * retransmission after delivery is reported as a replay. */
static void test_dtls_reasm_add_out_of_order_overlap(void **state) {
  struct blob b;
  struct rtg_dtls_hs_frag cert, next, f;
  struct rtg_dtls_reasm r;
  struct rtg_dtls_hs_raw msg;
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  static const uint8_t next_body[] = {0xde, 0xad};
  uint32_t L;
  (void)state;
  rtg_ctx_deterministic(&ctx, &prng, 1, NULL);
  find_server_certificate(&b, &cert);
  L = cert.length;
  assert_true(L > 100);
  rtg_dtls_reasm_init(&r, &ctx, cert.msg_seq);
  memset(&next, 0, sizeof next);
  next.msg_type = RTG_DTLS_HS_SERVER_HELLO_DONE + 1;
  next.msg_seq = (uint16_t)(cert.msg_seq + 1);
  next.length = next.frag_len = 2;
  next.body.p = next_body;
  next.body.len = 2;
  assert_int_equal(rtg_dtls_reasm_add(&r, &next, NULL), 0);
  assert_int_equal(rtg_dtls_reasm_next(&r, &msg), RTG_ERR_AGAIN);
  f = sub_frag(&cert, L / 2, L - L / 2);
  assert_int_equal(rtg_dtls_reasm_add(&r, &f, NULL), 0);
  assert_int_equal(rtg_dtls_reasm_add(&r, &f, NULL), 0); /* duplicate */
  assert_int_equal(rtg_dtls_reasm_next(&r, &msg), RTG_ERR_AGAIN);
  f = sub_frag(&cert, 10, L / 2); /* overlaps both sides */
  assert_int_equal(rtg_dtls_reasm_add(&r, &f, NULL), 0);
  assert_int_equal(rtg_dtls_reasm_next(&r, &msg), RTG_ERR_AGAIN);
  f = sub_frag(&cert, 0, 11);
  assert_int_equal(rtg_dtls_reasm_add(&r, &f, NULL), 0);
  assert_int_equal(rtg_dtls_reasm_next(&r, &msg), 0);
  assert_int_equal(msg.msg_type, RTG_DTLS_HS_CERTIFICATE);
  assert_int_equal(msg.body.len, L);
  assert_memory_equal(msg.body.p, cert.body.p, L);
  assert_int_equal(rtg_dtls_reasm_next(&r, &msg), 0);
  assert_int_equal(msg.msg_seq, next.msg_seq);
  assert_memory_equal(msg.body.p, next_body, 2);
  assert_int_equal(rtg_dtls_reasm_next(&r, &msg), RTG_ERR_AGAIN);
  /* the whole Certificate retransmitted */
  assert_int_equal(rtg_dtls_reasm_add(&r, &cert, NULL), RTG_ERR_REPLAY);
  rtg_dtls_reasm_free(&r);
}

static void test_dtls_reasm_add_conflicting_overlap(void **state) {
  struct blob b;
  struct rtg_dtls_hs_frag cert, f;
  struct rtg_dtls_reasm r;
  struct rtg_dtls_hs_raw msg;
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  struct rtg_perr perr;
  uint8_t evil[64];
  (void)state;
  rtg_ctx_deterministic(&ctx, &prng, 1, NULL);
  find_server_certificate(&b, &cert);
  rtg_dtls_reasm_init(&r, &ctx, cert.msg_seq);
  f = sub_frag(&cert, 0, 64);
  assert_int_equal(rtg_dtls_reasm_add(&r, &f, NULL), 0);
  memcpy(evil, cert.body.p + 32, 64);
  evil[5] ^= 1;
  f = sub_frag(&cert, 32, 64);
  f.body.p = evil;
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_reasm_add(&r, &f, &perr), RTG_ERR_PARSE);
  assert_string_equal(perr.field, "dtls.hs.body");
  assert_string_equal(perr.reason, "overlapping fragment bytes differ");
  /* a different length for the same message_seq */
  f = sub_frag(&cert, 0, 8);
  f.length = cert.length + 1;
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_reasm_add(&r, &f, &perr), RTG_ERR_PARSE);
  assert_string_equal(perr.field, "dtls.hs.length");
  /* nothing was delivered */
  assert_int_equal(rtg_dtls_reasm_next(&r, &msg), RTG_ERR_AGAIN);
  /* too far ahead */
  f = sub_frag(&cert, 0, 8);
  f.msg_seq = (uint16_t)(cert.msg_seq + RTG_DTLS_REASM_SLOTS);
  assert_int_equal(rtg_dtls_reasm_add(&r, &f, NULL), RTG_ERR_UNSUPPORTED);
  rtg_dtls_reasm_free(&r);
}

/* ---- messages ------------------------------------------------------------------- */

static void client_hello_body(struct blob *b, struct rtg_rd *body) {
  struct rtg_rd rd;
  struct rtg_dtls_hs_frag f;
  load("dtls12-gcm/00-c.bin", b);
  rtg_rd_init(&rd, b->d, b->n);
  assert_int_equal(rtg_rd_skip(&rd, 13), 0);
  assert_int_equal(rtg_dtls_hs_frag_parse(&rd, &f, NULL), 0);
  body->p = f.body.p;
  body->end = f.body.p + f.body.len;
  body->base = b->d;
}

static void test_dtls_client_hello_parse_recorded(void **state) {
  struct blob b;
  struct rtg_rd body;
  struct rtg_dtls_hs_msg m;
  const struct rtg_dtls_ext *e;
  struct rtg_dtls_use_srtp srtp;
  struct rtg_dtls_u16_list l;
  uint8_t out[4096];
  struct rtg_wr wr;
  (void)state;
  client_hello_body(&b, &body);
  assert_int_equal(rtg_dtls_hs_body_parse(RTG_DTLS_HS_CLIENT_HELLO, &body, false, &m, NULL), 0);
  assert_int_equal(m.u.ch.version, RTG_DTLS_V12);
  assert_int_equal(m.u.ch.cookie.len, 0);
  assert_true(m.u.ch.suites.len >= 2);
  assert_true(m.u.ch.exts.present);
  assert_int_equal(rtg_dtls_exts_validate(&m.u.ch.exts, RTG_DTLS_HS_CLIENT_HELLO, false, NULL), 0);
  e = rtg_dtls_exts_find(&m.u.ch.exts, RTG_DTLS_EXT_USE_SRTP);
  assert_non_null(e);
  assert_int_equal(rtg_dtls_ext_use_srtp_parse(e, &srtp, NULL), 0);
  assert_int_equal(srtp.profiles.n, 2);
  assert_int_equal(srtp.profiles.v[0], RTG_DTLS_SRTP_AEAD_AES_128_GCM);
  assert_int_equal(srtp.profiles.v[1], RTG_DTLS_SRTP_AES128_CM_HMAC_SHA1_80);
  assert_int_equal(srtp.mki.len, 0);
  e = rtg_dtls_exts_find(&m.u.ch.exts, RTG_DTLS_EXT_EXTENDED_MASTER_SECRET);
  assert_non_null(e);
  assert_int_equal(rtg_dtls_ext_empty_parse(e, NULL), 0);
  e = rtg_dtls_exts_find(&m.u.ch.exts, RTG_DTLS_EXT_SUPPORTED_GROUPS);
  assert_non_null(e);
  assert_int_equal(rtg_dtls_ext_u16_list_parse(e, &l, NULL), 0);
  assert_int_equal(l.v[0], 0x001d); /* x25519 first */
  e = rtg_dtls_exts_find(&m.u.ch.exts, RTG_DTLS_EXT_SIGNATURE_ALGORITHMS);
  assert_non_null(e);
  assert_int_equal(rtg_dtls_ext_u16_list_parse(e, &l, NULL), 0);
  assert_int_equal(l.v[0], 0x0403); /* ecdsa_secp256r1_sha256 */
  /* round trip */
  rtg_wr_init(&wr, out, sizeof out);
  assert_int_equal(rtg_dtls_client_hello_write(&wr, &m.u.ch), 0);
  client_hello_body(&b, &body);
  assert_int_equal(rtg_wr_len(&wr), rtg_rd_left(&body));
  assert_memory_equal(out, body.p, rtg_wr_len(&wr));
}

/* Every strict prefix of the ClientHello body fails, except the one that
 * ends right after compression_methods: extensions may be absent
 * (RFC 5246 §7.4.1.2). */
static void test_dtls_client_hello_parse_truncation_sweep(void **state) {
  struct blob b;
  struct rtg_rd body;
  struct rtg_dtls_hs_msg m;
  size_t full, no_ext;
  (void)state;
  client_hello_body(&b, &body);
  full = rtg_rd_left(&body);
  assert_int_equal(rtg_dtls_hs_body_parse(RTG_DTLS_HS_CLIENT_HELLO, &body, false, &m, NULL), 0);
  no_ext = (size_t)(m.u.ch.compression.p + m.u.ch.compression.len - (b.d + 25));
  for (size_t len = 0; len < full; len++) {
    struct rtg_rd r;
    struct rtg_perr perr;
    int rc;
    client_hello_body(&b, &r);
    r.end = r.p + len;
    rtg_perr_clear(&perr);
    rc = rtg_dtls_hs_body_parse(RTG_DTLS_HS_CLIENT_HELLO, &r, false, &m, &perr);
    if (len == no_ext) {
      assert_int_equal(rc, 0);
      assert_false(m.u.ch.exts.present);
    } else {
      assert_int_equal(rc, RTG_ERR_PARSE);
      assert_non_null(perr.field);
    }
  }
}

static void test_dtls_client_hello_parse_malformed(void **state) {
  struct blob b;
  struct rtg_rd body;
  struct rtg_dtls_hs_msg m;
  struct rtg_perr perr;
  size_t off0, off1;
  (void)state;
  client_hello_body(&b, &body);
  assert_int_equal(rtg_dtls_hs_body_parse(RTG_DTLS_HS_CLIENT_HELLO, &body, false, &m, NULL), 0);
  off0 = m.u.ch.exts.e[0].offset;
  off1 = m.u.ch.exts.e[1].offset;
  /* Give the second extension the first one's type. */
  client_hello_body(&b, &body);
  b.d[off1] = b.d[off0];
  b.d[off1 + 1] = b.d[off0 + 1];
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_hs_body_parse(RTG_DTLS_HS_CLIENT_HELLO, &body, false, &m, &perr),
                   RTG_ERR_PARSE);
  assert_string_equal(perr.field, "dtls.ext.type");
  assert_string_equal(perr.reason, "duplicate extension");
  assert_int_equal(perr.offset, off1);
}

/* The server flight: ServerHello with use_srtp selecting one profile and
 * EMS, Certificate (one ECDSA cert), ServerKeyExchange (named curve),
 * CertificateRequest, ServerHelloDone. HelloVerifyRequest first. */
static void test_dtls_server_flight_parse_recorded(void **state) {
  struct blob b;
  struct rtg_dtls_record recs[16];
  size_t n, seen = 0;
  (void)state;
  load("dtls12-gcm/01-s.bin", &b);
  assert_int_equal(rtg_dtls_datagram_parse(b.d, b.n, 0, recs, 16, &n, NULL), 0);
  {
    struct rtg_rd rd = {recs[0].payload.p, recs[0].payload.p + recs[0].payload.len, b.d};
    struct rtg_dtls_hs_frag f;
    struct rtg_dtls_hs_msg m;
    struct rtg_rd body;
    uint8_t out[300];
    struct rtg_wr wr;
    assert_int_equal(rtg_dtls_hs_frag_parse(&rd, &f, NULL), 0);
    assert_int_equal(f.msg_type, RTG_DTLS_HS_HELLO_VERIFY_REQUEST);
    body.p = f.body.p;
    body.end = f.body.p + f.body.len;
    body.base = b.d;
    assert_int_equal(rtg_dtls_hs_body_parse(f.msg_type, &body, false, &m, NULL), 0);
    assert_int_equal(m.u.hvr.cookie.len, 32);
    rtg_wr_init(&wr, out, sizeof out);
    assert_int_equal(rtg_dtls_hello_verify_write(&wr, &m.u.hvr), 0);
    assert_memory_equal(out, f.body.p, f.body.len);
  }
  load("dtls12-gcm/03-s.bin", &b);
  assert_int_equal(rtg_dtls_datagram_parse(b.d, b.n, 0, recs, 16, &n, NULL), 0);
  for (size_t i = 0; i < n; i++) {
    struct rtg_rd rd = {recs[i].payload.p, recs[i].payload.p + recs[i].payload.len, b.d};
    while (!rtg_rd_empty(&rd)) {
      struct rtg_dtls_hs_frag f;
      struct rtg_dtls_hs_msg m;
      struct rtg_rd body;
      assert_int_equal(rtg_dtls_hs_frag_parse(&rd, &f, NULL), 0);
      assert_int_equal(f.frag_len, f.length); /* MTU 1200: not fragmented */
      body.p = f.body.p;
      body.end = f.body.p + f.body.len;
      body.base = b.d;
      assert_int_equal(rtg_dtls_hs_body_parse(f.msg_type, &body, false, &m, NULL), 0);
      seen |= 1u << f.msg_type;
      if (f.msg_type == RTG_DTLS_HS_SERVER_HELLO) {
        const struct rtg_dtls_ext *e = rtg_dtls_exts_find(&m.u.sh.exts, RTG_DTLS_EXT_USE_SRTP);
        struct rtg_dtls_use_srtp u;
        uint8_t out[64];
        struct rtg_wr wr;
        assert_false(m.u.sh.hrr);
        assert_int_equal(m.u.sh.suite, 0xc02b);
        assert_non_null(e);
        assert_int_equal(rtg_dtls_ext_use_srtp_parse(e, &u, NULL), 0);
        assert_int_equal(u.profiles.n, 1);
        assert_int_equal(u.profiles.v[0], RTG_DTLS_SRTP_AEAD_AES_128_GCM);
        rtg_wr_init(&wr, out, sizeof out);
        assert_int_equal(rtg_dtls_ext_use_srtp_write(&wr, &u), 0);
        assert_int_equal(rtg_wr_len(&wr), e->data.len + 4);
        assert_memory_equal(out + 4, e->data.p, e->data.len);
        assert_non_null(rtg_dtls_exts_find(&m.u.sh.exts, RTG_DTLS_EXT_EXTENDED_MASTER_SECRET));
      } else if (f.msg_type == RTG_DTLS_HS_CERTIFICATE) {
        assert_int_equal(m.u.cert.n, 1);
        assert_int_equal(m.u.cert.cert[0].p[0], 0x30); /* DER SEQUENCE */
      } else if (f.msg_type == RTG_DTLS_HS_SERVER_KEY_EXCHANGE) {
        assert_int_equal(m.u.skx.curve_type, 3);
        assert_int_equal(m.u.skx.pubkey.len, 32); /* x25519 */
        assert_int_equal(m.u.skx.sig_alg, 0x0403);
      }
    }
  }
  assert_true(seen & (1u << RTG_DTLS_HS_SERVER_HELLO));
  assert_true(seen & (1u << RTG_DTLS_HS_CERTIFICATE));
  assert_true(seen & (1u << RTG_DTLS_HS_SERVER_KEY_EXCHANGE));
  assert_true(seen & (1u << RTG_DTLS_HS_SERVER_HELLO_DONE));
}

/* RFC 8446 §4.1.3 HelloRetryRequest, as DTLS 1.3 sends it: ServerHello with
 * the special random, supported_versions = DTLS 1.3, key_share carrying only
 * the selected group, and a cookie. Truncation sweep over it. */
static void test_dtls_server_hello_parse_hrr(void **state) {
  static const uint8_t body[] = {
      0xfe, 0xfd, /* legacy_version */
      0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
      0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
      0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c, /* HRR random */
      0x00,                                                       /* legacy_session_id_echo */
      0x13, 0x01, 0x00,                   /* TLS_AES_128_GCM_SHA256, null compression */
      0x00, 0x14,                         /* extensions: 20 bytes */
      0x00, 0x2b, 0x00, 0x02, 0xfe, 0xfc, /* supported_versions: DTLS 1.3 */
      0x00, 0x33, 0x00, 0x02, 0x00, 0x17, /* key_share: secp256r1 */
      0x00, 0x2c, 0x00, 0x04, 0x00, 0x02, 0xc0, 0x0c}; /* cookie */
  struct rtg_dtls_hs_msg m;
  struct rtg_rd rd;
  struct rtg_dtls_key_share ks;
  struct rtg_dtls_u16_list v;
  struct rtg_slice cookie;
  uint8_t out[sizeof body];
  struct rtg_wr wr;
  (void)state;
  rtg_rd_init(&rd, body, sizeof body);
  assert_int_equal(rtg_dtls_hs_body_parse(RTG_DTLS_HS_SERVER_HELLO, &rd, true, &m, NULL), 0);
  assert_true(m.u.sh.hrr);
  assert_int_equal(m.u.sh.exts.n, 3);
  assert_int_equal(rtg_dtls_ext_versions_parse(&m.u.sh.exts.e[0], false, &v, NULL), 0);
  assert_int_equal(v.v[0], RTG_DTLS_V13);
  assert_int_equal(
      rtg_dtls_ext_key_share_parse(&m.u.sh.exts.e[1], RTG_DTLS_HS_SERVER_HELLO, true, &ks, NULL),
      0);
  assert_int_equal(ks.group[0], 0x0017);
  assert_int_equal(rtg_dtls_ext_opaque_parse(&m.u.sh.exts.e[2], &cookie, NULL), 0);
  assert_int_equal(cookie.len, 2);
  rtg_wr_init(&wr, out, sizeof out);
  assert_int_equal(rtg_dtls_server_hello_write(&wr, &m.u.sh), 0);
  assert_memory_equal(out, body, sizeof body);
  for (size_t len = 0; len < sizeof body; len++) {
    int rc;
    rtg_rd_init(&rd, body, len);
    rc = rtg_dtls_hs_body_parse(RTG_DTLS_HS_SERVER_HELLO, &rd, true, &m, NULL);
    if (len == 38) /* ends right after compression: extensions absent */
      assert_int_equal(rc, 0);
    else
      assert_int_equal(rc, RTG_ERR_PARSE);
  }
}

/* ClientHello key_share / supported_versions as DTLS 1.3 clients send them. */
static void test_dtls_ext_key_share_parse_client(void **state) {
  static const uint8_t ks_body[] = {0x00, 0x0a, 0x00, 0x1d, 0x00, 0x02,
                                    0xaa, 0xbb, 0x00, 0x17, 0x00, 0x00};
  static const uint8_t sv_body[] = {0x04, 0xfe, 0xfc, 0xfe, 0xfd};
  struct rtg_dtls_ext e;
  struct rtg_dtls_key_share ks;
  struct rtg_dtls_u16_list v;
  struct rtg_perr perr;
  (void)state;
  e.type = RTG_DTLS_EXT_KEY_SHARE;
  e.offset = 0;
  e.base = NULL; /* hand-built: offsets within the body */
  e.data.p = ks_body;
  e.data.len = 8;
  /* 10 bytes of list announced but only 6 present */
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_ext_key_share_parse(&e, RTG_DTLS_HS_CLIENT_HELLO, false, &ks, &perr),
                   RTG_ERR_PARSE);
  assert_string_equal(perr.field, "dtls.ext.key_share");
  assert_int_equal(perr.offset, 0);
  /* full: second entry has an empty key_exchange: rejected */
  e.data.len = sizeof ks_body;
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_ext_key_share_parse(&e, RTG_DTLS_HS_CLIENT_HELLO, false, &ks, &perr),
                   RTG_ERR_PARSE);
  assert_string_equal(perr.field, "dtls.ext.key_share.key_exchange");
  e.type = RTG_DTLS_EXT_SUPPORTED_VERSIONS;
  e.data.p = sv_body;
  e.data.len = sizeof sv_body;
  assert_int_equal(rtg_dtls_ext_versions_parse(&e, true, &v, NULL), 0);
  assert_int_equal(v.n, 2);
  assert_int_equal(v.v[0], RTG_DTLS_V13);
  assert_int_equal(v.v[1], RTG_DTLS_V12);
}

static void test_dtls_ext_use_srtp_parse_malformed(void **state) {
  static const uint8_t odd[] = {0x00, 0x03, 0x00, 0x01, 0x00, 0x00};
  static const uint8_t nomki[] = {0x00, 0x02, 0x00, 0x01};
  static const uint8_t mki[] = {0x00, 0x04, 0x00, 0x07, 0x00, 0x01, 0x02, 0xab, 0xcd};
  struct rtg_dtls_ext e = {RTG_DTLS_EXT_USE_SRTP, {odd, sizeof odd}, 0, NULL};
  struct rtg_dtls_use_srtp u;
  struct rtg_perr perr;
  uint8_t out[32];
  struct rtg_wr wr;
  (void)state;
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_ext_use_srtp_parse(&e, &u, &perr), RTG_ERR_PARSE);
  assert_string_equal(perr.field, "dtls.ext.use_srtp.profiles");
  e.data.p = nomki;
  e.data.len = sizeof nomki;
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_ext_use_srtp_parse(&e, &u, &perr), RTG_ERR_PARSE);
  assert_string_equal(perr.field, "dtls.ext.use_srtp.mki");
  assert_int_equal(perr.offset, 4);
  e.data.p = mki;
  e.data.len = sizeof mki;
  assert_int_equal(rtg_dtls_ext_use_srtp_parse(&e, &u, NULL), 0);
  assert_int_equal(u.profiles.n, 2);
  assert_int_equal(u.mki.len, 2);
  rtg_wr_init(&wr, out, sizeof out);
  assert_int_equal(rtg_dtls_ext_use_srtp_write(&wr, &u), 0);
  assert_memory_equal(out + 4, mki, sizeof mki);
  for (size_t len = 0; len < sizeof mki; len++) {
    e.data.len = len;
    assert_int_equal(rtg_dtls_ext_use_srtp_parse(&e, &u, NULL), RTG_ERR_PARSE);
  }
}

/* ---- alerts, CCS, ACK, other messages ------------------------------------------ */

static void test_dtls_alert_parse(void **state) {
  static const uint8_t close_notify[] = {0x01, 0x00};
  static const uint8_t bad_level[] = {0x03, 0x28};
  static const uint8_t ccs[] = {0x01};
  static const uint8_t bad_ccs[] = {0x02};
  struct rtg_rd rd;
  struct rtg_dtls_alert a;
  struct rtg_perr perr;
  uint8_t out[2];
  struct rtg_wr wr;
  (void)state;
  rtg_rd_init(&rd, close_notify, 2);
  assert_int_equal(rtg_dtls_alert_parse(&rd, &a, NULL), 0);
  assert_int_equal(a.desc, 0);
  assert_string_equal(rtg_dtls_alert_name(a.desc), "close_notify");
  rtg_wr_init(&wr, out, 2);
  assert_int_equal(rtg_dtls_alert_write(&wr, &a), 0);
  assert_memory_equal(out, close_notify, 2);
  for (size_t len = 0; len < 2; len++) {
    rtg_rd_init(&rd, close_notify, len);
    assert_int_equal(rtg_dtls_alert_parse(&rd, &a, NULL), RTG_ERR_PARSE);
  }
  rtg_rd_init(&rd, bad_level, 2);
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_alert_parse(&rd, &a, &perr), RTG_ERR_PARSE);
  assert_string_equal(perr.field, "dtls.alert.level");
  rtg_rd_init(&rd, ccs, 1);
  assert_int_equal(rtg_dtls_ccs_parse(&rd, NULL), 0);
  rtg_rd_init(&rd, bad_ccs, 1);
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_ccs_parse(&rd, &perr), RTG_ERR_PARSE);
  assert_string_equal(perr.field, "dtls.ccs");
}

static void test_dtls_ack_parse_round_trip(void **state) {
  struct rtg_dtls_ack a = {2, {2, 3}, {5, 0x0000123456789abcull}}, b;
  uint8_t buf[64];
  struct rtg_wr wr;
  struct rtg_rd rd;
  struct rtg_perr perr;
  (void)state;
  rtg_wr_init(&wr, buf, sizeof buf);
  assert_int_equal(rtg_dtls_ack_write(&wr, &a), 0);
  assert_int_equal(rtg_wr_len(&wr), 34);
  rtg_rd_init(&rd, buf, 34);
  assert_int_equal(rtg_dtls_ack_parse(&rd, &b, NULL), 0);
  assert_int_equal(b.n, 2);
  assert_true(b.epoch[1] == 3 && b.seq[1] == 0x0000123456789abcull);
  for (size_t len = 0; len < 34; len++) {
    rtg_rd_init(&rd, buf, len);
    assert_int_equal(rtg_dtls_ack_parse(&rd, &b, NULL), RTG_ERR_PARSE);
  }
  buf[1] = 17; /* not a multiple of 16 */
  rtg_rd_init(&rd, buf, 34);
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_ack_parse(&rd, &b, &perr), RTG_ERR_PARSE);
  assert_string_equal(perr.field, "dtls.ack.length");
}

/* DTLS 1.3 layouts: Certificate with request context and per-entry
 * extensions, NewSessionTicket, KeyUpdate, EncryptedExtensions. */
static void test_dtls_hs_body_parse_tls13_messages(void **state) {
  static const uint8_t cert[] = {0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x04,
                                 0x30, 0x02, 0x05, 0x00, 0x00, 0x00};
  static const uint8_t nst[] = {0x00, 0x00, 0x1c, 0x20, 0x01, 0x02, 0x03, 0x04, 0x01,
                                0x00, 0x00, 0x03, 0xaa, 0xbb, 0xcc, 0x00, 0x00};
  static const uint8_t ku_bad[] = {0x02};
  static const uint8_t ee[] = {0x00, 0x04, 0x00, 0x0e, 0x00, 0x00};
  struct rtg_dtls_hs_msg m;
  struct rtg_rd rd;
  struct rtg_perr perr;
  (void)state;
  rtg_rd_init(&rd, cert, sizeof cert);
  assert_int_equal(rtg_dtls_hs_body_parse(RTG_DTLS_HS_CERTIFICATE, &rd, true, &m, NULL), 0);
  assert_int_equal(m.u.cert.n, 1);
  assert_int_equal(m.u.cert.cert[0].len, 4);
  for (size_t len = 0; len < sizeof cert; len++) {
    rtg_rd_init(&rd, cert, len);
    assert_int_equal(rtg_dtls_hs_body_parse(RTG_DTLS_HS_CERTIFICATE, &rd, true, &m, NULL),
                     RTG_ERR_PARSE);
  }
  rtg_rd_init(&rd, nst, sizeof nst);
  assert_int_equal(rtg_dtls_hs_body_parse(RTG_DTLS_HS_NEW_SESSION_TICKET, &rd, true, &m, NULL), 0);
  assert_int_equal(m.u.nst.lifetime, 7200);
  assert_int_equal(m.u.nst.nonce.len, 1);
  assert_int_equal(m.u.nst.ticket.len, 3);
  rtg_rd_init(&rd, ku_bad, 1);
  rtg_perr_clear(&perr);
  assert_int_equal(rtg_dtls_hs_body_parse(RTG_DTLS_HS_KEY_UPDATE, &rd, true, &m, &perr),
                   RTG_ERR_PARSE);
  assert_string_equal(perr.field, "dtls.key_update.request");
  rtg_rd_init(&rd, ee, sizeof ee);
  assert_int_equal(rtg_dtls_hs_body_parse(RTG_DTLS_HS_ENCRYPTED_EXTENSIONS, &rd, true, &m, NULL),
                   0);
  assert_int_equal(m.u.ee.n, 1);
  assert_int_equal(m.u.ee.e[0].type, RTG_DTLS_EXT_USE_SRTP);
}

/* ---- handshakes recorded from the browsers ------------------------------------------ */

/* Reassembles the epoch-0 handshake messages one side sent in a captured
 * browser session (stack/dtls/testdata/browser-*: Chromium and Firefox
 * fragment their ClientHello) and parses each with its extensions. */
static void browser_hellos(const char *sess, bool from_client, struct rtg_dtls_hs_msg *hello,
                           uint8_t want_type, size_t *n_msgs) {
  static uint8_t all[1 << 16];
  size_t n_all, at = 0;
  struct rtg_dtls_reasm r;
  struct rtg_ctx ctx;
  struct rtg_prng prng;
  bool found = false;
  n_all = tu_load(all, sizeof all, "stack/dtls/testdata/%s/datagrams.bin", sess);
  rtg_ctx_deterministic(&ctx, &prng, 1, NULL);
  rtg_dtls_reasm_init(&r, &ctx, 0);
  *n_msgs = 0;
  while (at + 3 <= n_all) {
    size_t len = rtg_load_u16(all + at + 1);
    struct rtg_dtls_record recs[16];
    size_t n;
    if ((all[at] == 1) == from_client) {
      assert_int_equal(rtg_dtls_datagram_parse(all + at + 3, len, 0, recs, 16, &n, NULL), 0);
      for (size_t i = 0; i < n; i++) {
        struct rtg_rd rd = {recs[i].payload.p, recs[i].payload.p + recs[i].payload.len,
                            all + at + 3};
        if (recs[i].unified || recs[i].epoch != 0 || recs[i].type != RTG_DTLS_CT_HANDSHAKE)
          continue;
        while (!rtg_rd_empty(&rd)) {
          struct rtg_dtls_hs_frag fr;
          struct rtg_dtls_hs_raw m;
          int rc;
          assert_int_equal(rtg_dtls_hs_frag_parse(&rd, &fr, NULL), 0);
          rc = rtg_dtls_reasm_add(&r, &fr, NULL);
          assert_true(rc == 0 || rc == RTG_ERR_REPLAY);
          while (rtg_dtls_reasm_next(&r, &m) == 0) {
            struct rtg_rd body = {m.body.p, m.body.p + m.body.len, m.body.p};
            struct rtg_dtls_hs_msg *msg = calloc(1, sizeof *msg);
            (*n_msgs)++;
            assert_int_equal(rtg_dtls_hs_body_parse(m.msg_type, &body, false, msg, NULL), 0);
            if (m.msg_type == RTG_DTLS_HS_CLIENT_HELLO)
              assert_int_equal(rtg_dtls_exts_validate(&msg->u.ch.exts, m.msg_type, false, NULL), 0);
            if (m.msg_type == RTG_DTLS_HS_SERVER_HELLO)
              assert_int_equal(
                  rtg_dtls_exts_validate(&msg->u.sh.exts, m.msg_type, msg->u.sh.hrr, NULL), 0);
            if (m.msg_type == want_type && !found) {
              /* keep the body: |m| points into the reassembler */
              static uint8_t keep[1 << 16];
              struct rtg_rd kb = {keep, keep + m.body.len, keep};
              memcpy(keep, m.body.p, m.body.len);
              assert_int_equal(rtg_dtls_hs_body_parse(m.msg_type, &kb, false, hello, NULL), 0);
              found = true;
            }
            free(msg);
          }
        }
      }
    }
    at += 3 + len;
  }
  rtg_dtls_reasm_free(&r);
  assert_true(found);
}

static void test_dtls_client_hello_parse_browsers(void **state) {
  static struct rtg_dtls_hs_msg m;
  const struct rtg_dtls_ext *e;
  struct rtg_dtls_u16_list v;
  struct rtg_dtls_key_share ks;
  struct rtg_dtls_use_srtp u;
  size_t n;
  (void)state;
  /* Chromium 156 offering DTLS 1.3 and 1.2 */
  browser_hellos("browser-chromium-firefox-dtls13", true, &m, RTG_DTLS_HS_CLIENT_HELLO, &n);
  assert_int_equal(m.u.ch.version, RTG_DTLS_V12);
  e = rtg_dtls_exts_find(&m.u.ch.exts, RTG_DTLS_EXT_SUPPORTED_VERSIONS);
  assert_non_null(e);
  assert_int_equal(rtg_dtls_ext_versions_parse(e, true, &v, NULL), 0);
  assert_int_equal(v.v[0], RTG_DTLS_V13);
  e = rtg_dtls_exts_find(&m.u.ch.exts, RTG_DTLS_EXT_KEY_SHARE);
  assert_non_null(e);
  assert_int_equal(rtg_dtls_ext_key_share_parse(e, RTG_DTLS_HS_CLIENT_HELLO, false, &ks, NULL), 0);
  assert_true(ks.n >= 1);
  e = rtg_dtls_exts_find(&m.u.ch.exts, RTG_DTLS_EXT_USE_SRTP);
  assert_non_null(e);
  assert_int_equal(rtg_dtls_ext_use_srtp_parse(e, &u, NULL), 0);
  assert_true(u.profiles.n >= 2);
  /* Firefox's server side: HelloRetryRequest (cookie) then the ServerHello */
  browser_hellos("browser-chromium-firefox-dtls13", false, &m, RTG_DTLS_HS_SERVER_HELLO, &n);
  e = rtg_dtls_exts_find(&m.u.sh.exts, RTG_DTLS_EXT_SUPPORTED_VERSIONS);
  assert_non_null(e);
  assert_int_equal(rtg_dtls_ext_versions_parse(e, false, &v, NULL), 0);
  assert_int_equal(v.v[0], RTG_DTLS_V13);
  /* A DTLS 1.2 session (Firefox capped at 1.2): the server's whole 1.2
   * flight (ServerHello, Certificate, ServerKeyExchange,
   * CertificateRequest, ServerHelloDone) parses; no supported_versions */
  browser_hellos("browser-firefox-chromium-dtls12", true, &m, RTG_DTLS_HS_CLIENT_HELLO, &n);
  browser_hellos("browser-firefox-chromium-dtls12", false, &m, RTG_DTLS_HS_SERVER_HELLO, &n);
  assert_int_equal(m.u.sh.version, RTG_DTLS_V12);
  assert_null(rtg_dtls_exts_find(&m.u.sh.exts, RTG_DTLS_EXT_SUPPORTED_VERSIONS));
  assert_true(n >= 5);
  browser_hellos("browser-firefox-firefox-dtls13", true, &m, RTG_DTLS_HS_CLIENT_HELLO, &n);
  assert_non_null(rtg_dtls_exts_find(&m.u.ch.exts, RTG_DTLS_EXT_KEY_SHARE));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dtls_record_parse_recorded_round_trip),
      cmocka_unit_test(test_dtls_record_parse_client_hello_header),
      cmocka_unit_test(test_dtls_record_parse_truncation_sweep),
      cmocka_unit_test(test_dtls_record_parse_malformed),
      cmocka_unit_test(test_dtls_record_unified_round_trip),
      cmocka_unit_test(test_dtls_record_tls12_cid_round_trip),
      cmocka_unit_test(test_dtls_hs_frag_parse_round_trip_and_truncation),
      cmocka_unit_test(test_dtls_hs_frag_parse_malformed),
      cmocka_unit_test(test_dtls_reasm_add_out_of_order_overlap),
      cmocka_unit_test(test_dtls_reasm_add_conflicting_overlap),
      cmocka_unit_test(test_dtls_client_hello_parse_recorded),
      cmocka_unit_test(test_dtls_client_hello_parse_truncation_sweep),
      cmocka_unit_test(test_dtls_client_hello_parse_malformed),
      cmocka_unit_test(test_dtls_server_flight_parse_recorded),
      cmocka_unit_test(test_dtls_server_hello_parse_hrr),
      cmocka_unit_test(test_dtls_ext_key_share_parse_client),
      cmocka_unit_test(test_dtls_ext_use_srtp_parse_malformed),
      cmocka_unit_test(test_dtls_alert_parse),
      cmocka_unit_test(test_dtls_ack_parse_round_trip),
      cmocka_unit_test(test_dtls_hs_body_parse_tls13_messages),
      cmocka_unit_test(test_dtls_client_hello_parse_browsers),
  };
  return cmocka_run_group_tests_name("dtls", tests, NULL, NULL);
}
