/*
 * rtp_test.c - RTP header/extension codec, RTCP compound codec and the
 * RFC 3550 A.1 stream-state object.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rtg/rtp.h"

/* RFC 7714 §16 (the plaintext RTP packet all its vectors share):
 * V=2 PT=64 seq=0xf17b ts=0x8041f8d3 SSRC=0x5501a0b2,
 * payload "Gallia est omnis divisa in partes tres". */
static const uint8_t rfc7714_rtp[] = {0x80, 0x40, 0xf1, 0x7b, 0x80, 0x41, 0xf8, 0xd3, 0x55, 0x01,
                                      0xa0, 0xb2, 0x47, 0x61, 0x6c, 0x6c, 0x69, 0x61, 0x20, 0x65,
                                      0x73, 0x74, 0x20, 0x6f, 0x6d, 0x6e, 0x69, 0x73, 0x20, 0x64,
                                      0x69, 0x76, 0x69, 0x73, 0x61, 0x20, 0x69, 0x6e, 0x20, 0x70,
                                      0x61, 0x72, 0x74, 0x65, 0x73, 0x20, 0x74, 0x72, 0x65, 0x73};

/* RFC 7714 §17: the plaintext RTCP packet (an SR with one report block).
 * The RFC prints its length field as 0x000d (14 words) although the packet
 * it shows has 13 words (52 bytes); the vector is used here with the length
 * corrected to 0x000c, and the printed one is a malformed case. */
static const uint8_t rfc7714_rtcp[] = {
    0x81, 0xc8, 0x00, 0x0c, 0x4d, 0x61, 0x72, 0x73, 0x4e, 0x54, 0x50, 0x31, 0x4e,
    0x54, 0x50, 0x32, 0x52, 0x54, 0x50, 0x20, 0x00, 0x00, 0x04, 0x2a, 0x00, 0x00,
    0xe9, 0x30, 0x4c, 0x75, 0x6e, 0x61, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe,
    0xef, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef};

/* A browser-like video packet: one-byte extensions mid=1 "0", abs-send-time=2,
 * transport-cc=3, video orientation=4, playout delay=5; one CSRC; padding. */
static const uint8_t browser_rtp[] = {
    0xb1, 0xe0, 0x12, 0x34, 0x00, 0x01, 0x02, 0x03, 0xca, 0xfe, 0xba, 0xbe, /* header */
    0x11, 0x22, 0x33, 0x44,                                                 /* CSRC */
    0xbe, 0xde, 0x00, 0x04,                                                 /* 4 words */
    0x10, '0',                                                              /* mid "0" */
    0x22, 0x12, 0x34, 0x56,                                                 /* abs-send-time */
    0x31, 0xab, 0xcd,                                                       /* transport-cc */
    0x40, 0x0d,                                                             /* CVO: C=1 F=1 R=1 */
    0x52, 0x01, 0x40, 0x64,                    /* playout delay min 20 max 100 */
    0x00,                                      /* padding to 16 bytes */
    0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x03}; /* payload + 3 bytes of padding */

static void test_rtp_parse_rfc7714_vector(void **state) {
  struct rtg_rtp_hdr h;
  struct rtg_perr e = {0};
  (void)state;
  assert_int_equal(rtg_rtp_parse(&h, rfc7714_rtp, sizeof rfc7714_rtp, &e), 0);
  assert_int_equal(h.version, 2);
  assert_int_equal(h.pt, 0x40);
  assert_false(h.marker);
  assert_int_equal(h.seq, 0xf17b);
  assert_int_equal(h.ts, 0x8041f8d3);
  assert_int_equal(h.ssrc, 0x5501a0b2);
  assert_int_equal(h.header_len, 12);
  assert_int_equal(h.payload.len, 38);
  assert_memory_equal(h.payload.p, "Gallia est omnis divisa in partes tres", 38);
}

static void test_rtp_parse_browser_extensions(void **state) {
  struct rtg_rtp_hdr h;
  char s[64];
  uint32_t ast;
  uint16_t tcc, rot, mn, mx;
  bool cam, flip, v;
  uint8_t lvl;
  struct rtg_slice raw;
  (void)state;
  assert_int_equal(rtg_rtp_parse(&h, browser_rtp, sizeof browser_rtp, NULL), 0);
  assert_true(h.padding && h.extension && h.marker);
  assert_int_equal(h.cc, 1);
  assert_int_equal(h.csrc[0], 0x11223344);
  assert_int_equal(h.pt, 96);
  assert_int_equal(h.ext_profile, 0xbede);
  assert_int_equal(h.n_ext, 5);
  assert_int_equal(h.header_len, 36);
  assert_int_equal(h.pad_len, 3);
  assert_int_equal(h.payload.len, 4);
  assert_int_equal(rtg_rtp_ext_mid(&h, 1, s, sizeof s), 0);
  assert_string_equal(s, "0");
  assert_int_equal(rtg_rtp_ext_abs_send_time(&h, 2, &ast), 0);
  assert_int_equal(ast, 0x123456);
  assert_int_equal(rtg_rtp_ext_transport_cc(&h, 3, &tcc), 0);
  assert_int_equal(tcc, 0xabcd);
  assert_int_equal(rtg_rtp_ext_video_orientation(&h, 4, &cam, &flip, &rot), 0);
  assert_true(cam && flip);
  assert_int_equal(rot, 90);
  assert_int_equal(rtg_rtp_ext_playout_delay(&h, 5, &mn, &mx), 0);
  assert_int_equal(mn, 20);
  assert_int_equal(mx, 100);
  /* wrong sizes and missing ids give exact errors */
  assert_int_equal(rtg_rtp_ext_transport_cc(&h, 2, &tcc), RTG_ERR_PARSE);
  assert_int_equal(rtg_rtp_ext_audio_level(&h, 9, &v, &lvl), RTG_ERR_NOTFOUND);
  assert_int_equal(rtg_rtp_ext_dependency_descriptor(&h, 1, &raw), RTG_ERR_PARSE);
  assert_int_equal(rtg_rtp_ext_rid(&h, 7, s, sizeof s), RTG_ERR_NOTFOUND);
}

static void test_rtp_write_round_trip(void **state) {
  struct rtg_rtp_hdr h, back;
  uint8_t buf[256];
  ptrdiff_t n;
  (void)state;
  assert_int_equal(rtg_rtp_parse(&h, browser_rtp, sizeof browser_rtp, NULL), 0);
  n = rtg_rtp_write(&h, h.payload.p, h.payload.len, buf, sizeof buf);
  assert_int_equal(n, (ptrdiff_t)sizeof browser_rtp);
  assert_memory_equal(buf, browser_rtp, sizeof browser_rtp);
  assert_int_equal(rtg_rtp_parse(&back, buf, (size_t)n, NULL), 0);
  assert_int_equal(back.n_ext, 5);
  /* every too-small buffer fails with NOBUF */
  for (size_t cap = 0; cap < sizeof browser_rtp; cap++)
    assert_int_equal(rtg_rtp_write(&h, h.payload.p, h.payload.len, buf, cap), RTG_ERR_NOBUF);
  /* RFC 7714 packet */
  assert_int_equal(rtg_rtp_parse(&h, rfc7714_rtp, sizeof rfc7714_rtp, NULL), 0);
  n = rtg_rtp_write(&h, h.payload.p, h.payload.len, buf, sizeof buf);
  assert_int_equal(n, (ptrdiff_t)sizeof rfc7714_rtp);
  assert_memory_equal(buf, rfc7714_rtp, sizeof rfc7714_rtp);
}

static void test_rtp_write_two_byte_form(void **state) {
  struct rtg_rtp_hdr h, back;
  uint8_t big[20], buf[128];
  ptrdiff_t n;
  char s[32];
  (void)state;
  memset(&h, 0, sizeof h);
  memset(big, 0x41, sizeof big);
  h.pt = 111;
  h.seq = 7;
  h.ssrc = 1;
  h.extension = true;
  h.n_ext = 2;
  h.ext[0].id = 10; /* "rid" 20 bytes: too long for the one-byte form */
  h.ext[0].len = sizeof big;
  h.ext[0].data = big;
  h.ext[1].id = 200;
  h.ext[1].len = 0;
  h.ext[1].data = big;
  n = rtg_rtp_write(&h, "x", 1, buf, sizeof buf);
  assert_true(n > 0);
  assert_int_equal(rtg_load_u16(buf + 12), 0x1000);
  assert_int_equal(rtg_rtp_parse(&back, buf, (size_t)n, NULL), 0);
  assert_int_equal(back.n_ext, 2);
  assert_int_equal(back.ext[0].id, 10);
  assert_int_equal(back.ext[0].len, 20);
  assert_int_equal(back.ext[1].id, 200);
  assert_int_equal(back.ext[1].len, 0);
  assert_int_equal(rtg_rtp_ext_rid(&back, 10, s, sizeof s), 0);
  assert_string_equal(s, "AAAAAAAAAAAAAAAAAAAA");
  assert_int_equal(back.payload.len, 1);
}

static void test_rtp_parse_truncation_sweep(void **state) {
  (void)state;
  /* The extension, CSRC and padding make every prefix invalid: a prefix
   * either cuts the fixed header, the CSRC list or the extension, or ends
   * in a payload byte whose value is not a valid padding count. */
  for (size_t len = 0; len < sizeof browser_rtp; len++) {
    struct rtg_rtp_hdr h;
    struct rtg_perr e = {0};
    int r = rtg_rtp_parse(&h, browser_rtp, len, &e);
    if (len < 36 || browser_rtp[len - 1] == 0 || browser_rtp[len - 1] > len - 36) {
      assert_int_equal(r, RTG_ERR_PARSE);
      assert_non_null(e.field);
      assert_true(e.offset <= len);
    }
  }
  for (size_t len = 0; len < 12; len++) {
    struct rtg_rtp_hdr h;
    assert_int_equal(rtg_rtp_parse(&h, rfc7714_rtp, len, NULL), RTG_ERR_PARSE);
  }
}

static void test_rtp_parse_malformed(void **state) {
  uint8_t p[sizeof browser_rtp];
  struct rtg_rtp_hdr h;
  struct rtg_perr e;
  (void)state;
  memcpy(p, browser_rtp, sizeof p);
  p[0] = 0x71; /* version 1 */
  memset(&e, 0, sizeof e);
  assert_int_equal(rtg_rtp_parse(&h, p, sizeof p, &e), RTG_ERR_PARSE);
  assert_string_equal(e.field, "rtp.version");
  assert_int_equal(e.offset, 0);

  memcpy(p, browser_rtp, sizeof p);
  p[sizeof p - 1] = 0; /* zero padding count */
  memset(&e, 0, sizeof e);
  assert_int_equal(rtg_rtp_parse(&h, p, sizeof p, &e), RTG_ERR_PARSE);
  assert_string_equal(e.field, "rtp.padding");
  assert_int_equal(e.offset, sizeof p - 1);

  memcpy(p, browser_rtp, sizeof p);
  p[19] = 0x09; /* extension length 9 words: past the end */
  memset(&e, 0, sizeof e);
  assert_int_equal(rtg_rtp_parse(&h, p, sizeof p, &e), RTG_ERR_PARSE);
  assert_string_equal(e.field, "rtp.ext.length");
  assert_int_equal(e.offset, 18);

  memcpy(p, browser_rtp, sizeof p);
  p[20] = 0x1f; /* mid element claims 16 bytes */
  memset(&e, 0, sizeof e);
  assert_int_equal(rtg_rtp_parse(&h, p, sizeof p, &e), RTG_ERR_PARSE);
  assert_string_equal(e.field, "rtp.ext.length");
  assert_int_equal(e.offset, 20);
  assert_string_equal(e.ref, "RFC 8285 §4");
}

/* ---- RTCP --------------------------------------------------------------- */

static void test_rtcp_parse_rfc7714_sr(void **state) {
  struct rtg_rtcp_compound c;
  struct rtg_rtcp_rb rb;
  (void)state;
  assert_int_equal(rtg_rtcp_parse(&c, rfc7714_rtcp, sizeof rfc7714_rtcp, 0, NULL), 0);
  assert_int_equal(c.n, 1);
  assert_int_equal(c.pkt[0].pt, RTG_RTCP_SR);
  assert_int_equal(c.pkt[0].ssrc, 0x4d617273); /* "Mars" */
  assert_true(c.pkt[0].ntp == 0x4e5450314e545032ull);
  assert_int_equal(c.pkt[0].rtp_ts, 0x52545020);
  assert_int_equal(c.pkt[0].packet_count, 0x42a);
  assert_int_equal(c.pkt[0].octet_count, 0xe930);
  assert_int_equal(rtg_rtcp_rb_get(&c.pkt[0], 0, &rb), 0);
  assert_int_equal(rb.ssrc, 0x4c756e61); /* "Luna" */
  assert_int_equal(rb.fraction_lost, 0xde);
  assert_int_equal(rb.cumulative_lost, (int32_t)0xffadbeef);
  assert_int_equal(rb.dlsr, 0xdeadbeef);
  assert_int_equal(rtg_rtcp_rb_get(&c.pkt[0], 1, &rb), RTG_ERR_NOTFOUND);
}

static size_t build_compound(uint8_t *buf, size_t cap) {
  struct rtg_wr wr;
  struct rtg_rtcp_rb rb[2] = {{0x1111, 12, -3, 0x10005, 77, 0xaabbccdd, 0x100},
                              {0x2222, 0, 500, 0x20000, 1, 2, 3}};
  uint32_t ssrc[2] = {0x1234, 0x5678};
  const char *cn[2] = {"alice@example", "x"};
  uint16_t pid[2] = {100, 200}, blp[2] = {0x0001, 0x8000};
  uint32_t fir_t = 0x9999;
  uint8_t fir_seq = 7;
  rtg_wr_init(&wr, buf, cap);
  assert_int_equal(rtg_rtcp_write_sr(&wr, 0x1234, 0x0102030405060708ull, 0x90, 10, 1000, rb, 2), 0);
  assert_int_equal(rtg_rtcp_write_sdes_cname(&wr, ssrc, cn, 2), 0);
  assert_int_equal(rtg_rtcp_write_nack(&wr, 0x1234, 0x1111, pid, blp, 2), 0);
  assert_int_equal(rtg_rtcp_write_pli(&wr, 0x1234, 0x1111), 0);
  assert_int_equal(rtg_rtcp_write_fir(&wr, 0x1234, &fir_t, &fir_seq, 1), 0);
  assert_int_equal(rtg_rtcp_write_remb(&wr, 0x1234, 1500000, ssrc, 2), 0);
  assert_int_equal(rtg_rtcp_write_app(&wr, 3, 0x1234, "TEST", "abcdefgh", 8), 0);
  assert_int_equal(rtg_rtcp_write_bye(&wr, ssrc, 2, "done"), 0);
  return rtg_wr_len(&wr);
}

static void test_rtcp_write_round_trip(void **state) {
  uint8_t buf[512], again[512];
  size_t n = build_compound(buf, sizeof buf);
  struct rtg_rtcp_compound c;
  struct rtg_rtcp_rb rb[2];
  struct rtg_rtcp_sdes_iter it;
  struct rtg_rtcp_sdes_item item;
  struct rtg_rtcp_remb remb;
  struct rtg_wr wr;
  uint16_t pid, blp;
  uint32_t s;
  uint8_t seq;
  const char *cn[2];
  uint32_t cn_ssrc[2];
  size_t ncn = 0;
  (void)state;
  assert_int_equal(rtg_rtcp_parse(&c, buf, n, 0, NULL), 0);
  assert_int_equal(c.n, 8);
  assert_int_equal(c.pkt[0].pt, RTG_RTCP_SR);
  assert_int_equal(rtg_rtcp_rb_get(&c.pkt[0], 0, &rb[0]), 0);
  assert_int_equal(rtg_rtcp_rb_get(&c.pkt[0], 1, &rb[1]), 0);
  assert_int_equal(rb[0].cumulative_lost, -3);
  assert_int_equal(rb[1].cumulative_lost, 500);
  rtg_rtcp_sdes_begin(&c.pkt[1], &it);
  while (rtg_rtcp_sdes_next(&it, &item) == 0) {
    static char names[2][64];
    assert_int_equal(item.type, 1);
    memcpy(names[ncn], item.value.p, item.value.len);
    names[ncn][item.value.len] = 0;
    cn[ncn] = names[ncn];
    cn_ssrc[ncn] = item.ssrc;
    ncn++;
  }
  assert_int_equal(ncn, 2);
  assert_string_equal(cn[0], "alice@example");
  assert_string_equal(cn[1], "x");
  assert_int_equal(rtg_rtcp_nack_get(&c.pkt[2], 1, &pid, &blp), 0);
  assert_int_equal(pid, 200);
  assert_int_equal(blp, 0x8000);
  assert_int_equal(c.pkt[3].count, RTG_PSFB_PLI);
  assert_int_equal(rtg_rtcp_fir_get(&c.pkt[4], 0, &s, &seq), 0);
  assert_int_equal(s, 0x9999);
  assert_int_equal(seq, 7);
  assert_int_equal(rtg_rtcp_remb_get(&c.pkt[5], &remb), 0);
  assert_true(remb.bitrate == 1500000);
  assert_int_equal(remb.n_ssrc, 2);
  assert_string_equal(c.pkt[6].app_name, "TEST");
  assert_int_equal(c.pkt[6].count, 3);
  assert_int_equal(c.pkt[7].reason.len, 4);
  assert_int_equal(rtg_rtcp_bye_ssrc(&c.pkt[7], 1, &s), 0);
  assert_int_equal(s, 0x5678);

  /* re-serialise from the decoded values: identical bytes */
  rtg_wr_init(&wr, again, sizeof again);
  {
    uint16_t pids[2], blps[2];
    uint32_t fir_t;
    uint8_t fir_s;
    uint32_t bye[2];
    char reason[8];
    assert_int_equal(rtg_rtcp_write_sr(&wr, c.pkt[0].ssrc, c.pkt[0].ntp, c.pkt[0].rtp_ts,
                                       c.pkt[0].packet_count, c.pkt[0].octet_count, rb, 2),
                     0);
    assert_int_equal(rtg_rtcp_write_sdes_cname(&wr, cn_ssrc, cn, 2), 0);
    for (size_t i = 0; i < 2; i++)
      assert_int_equal(rtg_rtcp_nack_get(&c.pkt[2], i, &pids[i], &blps[i]), 0);
    assert_int_equal(rtg_rtcp_write_nack(&wr, c.pkt[2].ssrc, c.pkt[2].media_ssrc, pids, blps, 2),
                     0);
    assert_int_equal(rtg_rtcp_write_pli(&wr, c.pkt[3].ssrc, c.pkt[3].media_ssrc), 0);
    assert_int_equal(rtg_rtcp_fir_get(&c.pkt[4], 0, &fir_t, &fir_s), 0);
    assert_int_equal(rtg_rtcp_write_fir(&wr, c.pkt[4].ssrc, &fir_t, &fir_s, 1), 0);
    assert_int_equal(rtg_rtcp_write_remb(&wr, c.pkt[5].ssrc, remb.bitrate, remb.ssrc, remb.n_ssrc),
                     0);
    assert_int_equal(rtg_rtcp_write_app(&wr, c.pkt[6].count, c.pkt[6].ssrc, c.pkt[6].app_name,
                                        c.pkt[6].app_data.p, c.pkt[6].app_data.len),
                     0);
    for (size_t i = 0; i < 2; i++) assert_int_equal(rtg_rtcp_bye_ssrc(&c.pkt[7], i, &bye[i]), 0);
    memcpy(reason, c.pkt[7].reason.p, c.pkt[7].reason.len);
    reason[c.pkt[7].reason.len] = 0;
    assert_int_equal(rtg_rtcp_write_bye(&wr, bye, 2, reason), 0);
  }
  assert_int_equal(rtg_wr_len(&wr), n);
  assert_memory_equal(again, buf, n);
}

static void test_rtcp_parse_truncation_sweep(void **state) {
  uint8_t buf[512];
  size_t n = build_compound(buf, sizeof buf);
  struct rtg_rtcp_compound c;
  (void)state;
  /* Every prefix that does not end exactly on a packet boundary is rejected
   * (lengths must add up, §A.2); prefixes on a boundary are valid shorter
   * compounds. */
  for (size_t len = 0; len < n; len++) {
    struct rtg_perr e = {0};
    int r = rtg_rtcp_parse(&c, buf, len, 0, &e);
    bool boundary = false;
    struct rtg_rtcp_compound full;
    assert_int_equal(rtg_rtcp_parse(&full, buf, n, 0, NULL), 0);
    for (size_t i = 0; i < full.n; i++)
      if (full.pkt[i].offset + full.pkt[i].len == len) boundary = true;
    if (boundary) {
      assert_int_equal(r, 0);
    } else {
      assert_int_equal(r, RTG_ERR_PARSE);
      assert_non_null(e.field);
      assert_true(e.offset <= len);
    }
  }
  for (size_t len = 0; len < sizeof rfc7714_rtcp; len++)
    assert_int_equal(rtg_rtcp_parse(&c, rfc7714_rtcp, len, 0, NULL), RTG_ERR_PARSE);
}

static void test_rtcp_parse_malformed(void **state) {
  uint8_t buf[512];
  size_t n = build_compound(buf, sizeof buf);
  struct rtg_rtcp_compound c;
  struct rtg_perr e;
  uint8_t p[sizeof rfc7714_rtcp + 8];
  (void)state;
  /* first packet not SR/RR (§A.2): start the compound at the SDES */
  memset(&e, 0, sizeof e);
  assert_int_equal(rtg_rtcp_parse(&c, buf + 28 + 48, n - 28 - 48, 0, &e), RTG_ERR_PARSE);
  assert_string_equal(e.field, "rtcp.pt");
  assert_string_equal(e.ref, "RFC 3550 §A.2");
  /* ... but fine as reduced-size RTCP (RFC 5506) */
  assert_int_equal(rtg_rtcp_parse(&c, buf + 28 + 48, n - 28 - 48, RTG_RTCP_REDUCED_SIZE, NULL), 0);
  /* padding on the first of two packets */
  memcpy(p, rfc7714_rtcp, sizeof rfc7714_rtcp);
  memcpy(p + sizeof rfc7714_rtcp, "\x81\xc9\x00\x01\x00\x00\x00\x01", 8);
  p[0] = 0xa1;
  memset(&e, 0, sizeof e);
  assert_int_equal(rtg_rtcp_parse(&c, p, sizeof p, 0, &e), RTG_ERR_PARSE);
  assert_string_equal(e.field, "rtcp.padding");
  assert_int_equal(e.offset, 0);
  /* padding on a lone SR: the first packet may not be padded (§A.2), but
   * reduced-size RTCP may */
  {
    uint8_t q[sizeof rfc7714_rtcp + 4];
    memcpy(q, rfc7714_rtcp, sizeof rfc7714_rtcp);
    memcpy(q + sizeof rfc7714_rtcp, "\0\0\0\4", 4);
    q[0] = 0xa1;
    q[3] = 0x0d;
    memset(&e, 0, sizeof e);
    assert_int_equal(rtg_rtcp_parse(&c, q, sizeof q, 0, &e), RTG_ERR_PARSE);
    assert_string_equal(e.reason, "padding on the first packet");
    assert_int_equal(rtg_rtcp_parse(&c, q, sizeof q, RTG_RTCP_REDUCED_SIZE, NULL), 0);
    assert_int_equal(c.pkt[0].pad_len, 4);
  }
  /* RR with RC=1 but no block: the report block overruns */
  memset(&e, 0, sizeof e);
  p[0] = 0x81;
  p[sizeof rfc7714_rtcp] = 0x81;
  assert_int_equal(rtg_rtcp_parse(&c, p, sizeof p, 0, &e), RTG_ERR_PARSE);
  assert_string_equal(e.field, "rtcp.report_block");
  assert_int_equal(e.offset, sizeof rfc7714_rtcp + 8);
  /* version 1 */
  memcpy(p, rfc7714_rtcp, sizeof rfc7714_rtcp);
  p[0] = 0x41;
  memset(&e, 0, sizeof e);
  assert_int_equal(rtg_rtcp_parse(&c, p, sizeof rfc7714_rtcp, 0, &e), RTG_ERR_PARSE);
  assert_string_equal(e.field, "rtcp.version");
  /* length beyond the datagram: the length RFC 7714 §17 prints */
  p[0] = 0x81;
  p[3] = 0x0d;
  memset(&e, 0, sizeof e);
  assert_int_equal(rtg_rtcp_parse(&c, p, sizeof rfc7714_rtcp, 0, &e), RTG_ERR_PARSE);
  assert_string_equal(e.field, "rtcp.length");
  assert_int_equal(e.offset, 2);
}

struct twcc_seen {
  size_t n;
  uint16_t seq[32];
  uint8_t status[32];
  int32_t delta[32];
};

static void twcc_cb(void *ud, uint16_t seq, uint8_t status, int32_t delta) {
  struct twcc_seen *s = ud;
  if (s->n < 32) {
    s->seq[s->n] = seq;
    s->status[s->n] = status;
    s->delta[s->n] = delta;
  }
  s->n++;
}

static void test_rtcp_twcc_get_vector(void **state) {
  /* Example built per draft-holmer §3.1: base 100, 6 packets, reference time
   * 0x000010, fb count 5; one run-length chunk (2 x "small delta"), one
   * two-bit vector chunk (received large, not received, small, then unused
   * symbols), deltas 0x10, 0x20, 0xff80 (-128), 0x04, padding. */
  static const uint8_t fci[] = {0x00, 0x64, 0x00, 0x05, 0x00, 0x00, 0x10, 0x05,
                                0x20, 0x02, /* run: small x2 */
                                0xe4, 0x00, /* two-bit vector: 2, 1, 0 */
                                0x10, 0x20, 0xff, 0x80, 0x04, 0x00, 0x00, 0x00};
  uint8_t buf[64];
  struct rtg_wr wr;
  struct rtg_rtcp_compound c;
  struct rtg_rtcp_twcc tw;
  struct twcc_seen seen = {0};
  struct rtg_perr e = {0};
  (void)state;
  /* 0xe400 = 1 1 | 10 01 00 00 00 00 00: symbols 2,1,0,0,0 -> packets 3..5 */
  rtg_wr_init(&wr, buf, sizeof buf);
  assert_int_equal(rtg_rtcp_write_fb(&wr, RTG_RTCP_RTPFB, RTG_RTPFB_TWCC, 1, 2, fci, sizeof fci),
                   0);
  assert_int_equal(rtg_rtcp_parse(&c, buf, rtg_wr_len(&wr), RTG_RTCP_REDUCED_SIZE, &e), 0);
  assert_int_equal(rtg_rtcp_twcc_get(&c.pkt[0], &tw, twcc_cb, &seen, &e), 0);
  assert_int_equal(tw.base_seq, 100);
  assert_int_equal(tw.status_count, 5);
  assert_int_equal(tw.ref_time, 16);
  assert_int_equal(tw.fb_count, 5);
  assert_int_equal(tw.received, 4);
  assert_int_equal(seen.n, 5);
  assert_int_equal(seen.status[0], 1);
  assert_int_equal(seen.delta[0], 0x10);
  assert_int_equal(seen.delta[1], 0x20);
  assert_int_equal(seen.status[2], 2);
  assert_int_equal(seen.delta[2], -128);
  assert_int_equal(seen.status[3], 1);
  assert_int_equal(seen.delta[3], 4);
  assert_int_equal(seen.status[4], 0);
  assert_int_equal(seen.seq[4], 104);
  /* a large gap: 20000 "not received" in three run-length chunks, then
   * one small delta (status counts above 16384 are valid) */
  {
    static const uint8_t big[] = {0x00, 0x01, 0x4e, 0x21, 0x00, 0x00, 0x01, 0x06, 0x1f, 0xff,
                                  0x1f, 0xff, 0x0e, 0x22, 0x20, 0x01, 0x07, 0,    0,    0};
    struct twcc_seen many = {0};
    rtg_wr_init(&wr, buf, sizeof buf);
    assert_int_equal(rtg_rtcp_write_fb(&wr, RTG_RTCP_RTPFB, RTG_RTPFB_TWCC, 1, 2, big, sizeof big),
                     0);
    assert_int_equal(rtg_rtcp_parse(&c, buf, rtg_wr_len(&wr), RTG_RTCP_REDUCED_SIZE, &e), 0);
    assert_int_equal(rtg_rtcp_twcc_get(&c.pkt[0], &tw, twcc_cb, &many, &e), 0);
    assert_int_equal(tw.status_count, 20001);
    assert_int_equal(many.n, 20001);
    assert_int_equal(tw.received, 1);
  }
  /* cut the deltas: exact error */
  rtg_wr_init(&wr, buf, sizeof buf);
  assert_int_equal(rtg_rtcp_write_fb(&wr, RTG_RTCP_RTPFB, RTG_RTPFB_TWCC, 1, 2, fci, 12), 0);
  memset(&e, 0, sizeof e);
  assert_int_equal(rtg_rtcp_parse(&c, buf, rtg_wr_len(&wr), RTG_RTCP_REDUCED_SIZE, &e),
                   RTG_ERR_PARSE);
  assert_string_equal(e.field, "rtcp.twcc.delta");
  assert_int_equal(e.offset, 24);
}

struct ccfb_seen {
  size_t n, received;
  uint16_t last_seq;
  uint16_t last_ato;
  uint8_t last_ecn;
};

static void ccfb_cb(void *ud, uint32_t ssrc, uint16_t seq, bool received, uint8_t ecn,
                    uint16_t ato) {
  struct ccfb_seen *s = ud;
  (void)ssrc;
  s->n++;
  if (received) s->received++;
  s->last_seq = seq;
  s->last_ato = ato;
  s->last_ecn = ecn;
}

static void test_rtcp_ccfb_get_blocks(void **state) {
  /* RFC 8888 §3.1 layout: SSRC 0xAABBCCDD, begin_seq 65535, 3 reports
   * (received ECT(0) ato 5, lost, received CE ato 0x1fff) + padding, then
   * the report timestamp. */
  static const uint8_t body[] = {0xaa, 0xbb, 0xcc, 0xdd, 0xff, 0xff, 0x00, 0x03, 0xc0, 0x05,
                                 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78};
  uint8_t buf[64];
  struct rtg_rtcp_compound c;
  struct ccfb_seen seen = {0};
  uint32_t ts;
  struct rtg_perr e = {0};
  (void)state;
  /* header + sender SSRC, no media SSRC in CCFB */
  buf[0] = 0x80 | RTG_RTPFB_CCFB;
  buf[1] = RTG_RTCP_RTPFB;
  rtg_store_u16(buf + 2, (uint16_t)((8 + sizeof body) / 4 - 1));
  rtg_store_u32(buf + 4, 0x01020304);
  memcpy(buf + 8, body, sizeof body);
  assert_int_equal(rtg_rtcp_parse(&c, buf, 8 + sizeof body, RTG_RTCP_REDUCED_SIZE, &e), 0);
  assert_int_equal(rtg_rtcp_ccfb_get(&c.pkt[0], &ts, ccfb_cb, &seen, &e), 0);
  assert_int_equal(ts, 0x12345678);
  assert_int_equal(seen.n, 3);
  assert_int_equal(seen.received, 2);
  assert_int_equal(seen.last_seq, 1);
  assert_int_equal(seen.last_ato, 0x1fff);
  assert_int_equal(seen.last_ecn, 3);
  /* num_reports 5 overruns */
  buf[15] = 5;
  memset(&e, 0, sizeof e);
  assert_int_equal(rtg_rtcp_parse(&c, buf, 8 + sizeof body, RTG_RTCP_REDUCED_SIZE, &e),
                   RTG_ERR_PARSE);
  assert_string_equal(e.field, "rtcp.ccfb.metric");
}

static void test_rtcp_xr_next_blocks(void **state) {
  /* RFC 3611 §4.4 receiver reference time block (BT=4, 2 words) and a DLRR
   * (BT=5, 3 words). */
  static const uint8_t xr[] = {0x80, 0xcf, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x04,
                               0x00, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                               0x07, 0x08, 0x05, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
                               0x09, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x0b};
  struct rtg_rtcp_compound c;
  struct rtg_rd it;
  struct rtg_rtcp_xr_block b;
  struct rtg_perr e = {0};
  uint8_t bad[sizeof xr];
  (void)state;
  assert_int_equal(rtg_rtcp_parse(&c, xr, sizeof xr, RTG_RTCP_REDUCED_SIZE, &e), 0);
  rtg_rd_init(&it, c.pkt[0].items.p, c.pkt[0].items.len);
  assert_int_equal(rtg_rtcp_xr_next(&it, &b), 0);
  assert_int_equal(b.bt, 4);
  assert_int_equal(b.body.len, 8);
  assert_int_equal(rtg_rtcp_xr_next(&it, &b), 0);
  assert_int_equal(b.bt, 5);
  assert_int_equal(b.body.len, 12);
  assert_int_equal(rtg_rtcp_xr_next(&it, &b), RTG_ERR_NOTFOUND);
  memcpy(bad, xr, sizeof xr);
  bad[23] = 4; /* DLRR claims 4 words */
  memset(&e, 0, sizeof e);
  assert_int_equal(rtg_rtcp_parse(&c, bad, sizeof bad, RTG_RTCP_REDUCED_SIZE, &e), RTG_ERR_PARSE);
  assert_string_equal(e.field, "rtcp.xr.block.length");
}

static void test_rtcp_tmmb_get_entry(void **state) {
  /* TMMBR: SSRC 5, exp 2, mantissa 100000, overhead 40 -> 400000 bps */
  uint8_t fci[8], buf[32];
  struct rtg_wr wr;
  struct rtg_rtcp_compound c;
  uint32_t ssrc;
  uint64_t br;
  uint16_t oh;
  (void)state;
  rtg_store_u32(fci, 5);
  rtg_store_u32(fci + 4, (2u << 26) | (100000u << 9) | 40u);
  rtg_wr_init(&wr, buf, sizeof buf);
  assert_int_equal(rtg_rtcp_write_fb(&wr, RTG_RTCP_RTPFB, RTG_RTPFB_TMMBR, 1, 0, fci, 8), 0);
  assert_int_equal(rtg_rtcp_parse(&c, buf, rtg_wr_len(&wr), RTG_RTCP_REDUCED_SIZE, NULL), 0);
  assert_int_equal(rtg_rtcp_tmmb_get(&c.pkt[0], 0, &ssrc, &br, &oh), 0);
  assert_int_equal(ssrc, 5);
  assert_true(br == 400000);
  assert_int_equal(oh, 40);
  assert_int_equal(rtg_rtcp_tmmb_get(&c.pkt[0], 1, &ssrc, &br, &oh), RTG_ERR_NOTFOUND);
}

/* ---- RFC 3550 A.1 ------------------------------------------------------- */

static void test_rtp_source_update_probation(void **state) {
  struct rtg_rtp_source s;
  (void)state;
  rtg_rtp_source_init(&s, 1, 1000);
  assert_int_equal(rtg_rtp_source_update(&s, 1000, 0, 0), RTG_ERR_AGAIN);
  assert_false(s.valid);
  assert_int_equal(rtg_rtp_source_update(&s, 1001, 160, 160), 0);
  assert_true(s.valid);
  assert_int_equal(s.received, 1);
  /* a gap during probation restarts it */
  rtg_rtp_source_init(&s, 2, 5);
  assert_int_equal(rtg_rtp_source_update(&s, 5, 0, 0), RTG_ERR_AGAIN);
  assert_int_equal(rtg_rtp_source_update(&s, 9, 0, 0), RTG_ERR_AGAIN);
  assert_int_equal(rtg_rtp_source_update(&s, 10, 0, 0), 0);
  assert_true(s.valid);
}

static void test_rtp_source_update_wrap_and_loss(void **state) {
  struct rtg_rtp_source s;
  uint16_t seq = 65530;
  (void)state;
  rtg_rtp_source_init(&s, 1, seq);
  assert_int_equal(rtg_rtp_source_update(&s, seq, 0, 0), RTG_ERR_AGAIN);
  seq++;
  assert_int_equal(rtg_rtp_source_update(&s, seq, 0, 0), 0); /* 65531 base */
  /* 20 more packets across the wrap, dropping 3 of them */
  for (int i = 0; i < 20; i++) {
    seq++;
    if (i == 3 || i == 7 || i == 8) continue;
    assert_int_equal(rtg_rtp_source_update(&s, seq, 0, 0), 0);
  }
  assert_int_equal(rtg_rtp_source_ext_max(&s), 65536u + seq);
  assert_int_equal(rtg_rtp_source_lost(&s), 3);
  /* fraction: 3 lost of 21 expected -> 3*256/21 = 36 */
  assert_int_equal(rtg_rtp_source_fraction(&s), 36);
  assert_int_equal(rtg_rtp_source_fraction(&s), 0);
  /* a huge jump is dropped once, then the source re-syncs */
  assert_int_equal(rtg_rtp_source_update(&s, (uint16_t)(seq + 30000), 0, 0), RTG_ERR_STATE);
  assert_int_equal(rtg_rtp_source_update(&s, (uint16_t)(seq + 30001), 0, 0), 0);
  assert_int_equal(s.base_seq, (uint16_t)(seq + 30001));
  /* duplicates are counted (A.3: lost may go negative) */
  assert_int_equal(rtg_rtp_source_update(&s, (uint16_t)(seq + 30001), 0, 0), 0);
  assert_int_equal(rtg_rtp_source_lost(&s), -1);
}

static void test_rtp_source_update_jitter(void **state) {
  struct rtg_rtp_source s;
  uint32_t arrival = 1000;
  (void)state;
  rtg_rtp_source_init(&s, 1, 0);
  assert_int_equal(rtg_rtp_source_update(&s, 0, 0, arrival), RTG_ERR_AGAIN);
  /* packets every 160 ticks, arrivals alternate +0/+32 ticks late */
  for (uint16_t i = 1; i <= 200; i++) {
    uint32_t late = (i % 2) ? 32 : 0;
    assert_int_equal(rtg_rtp_source_update(&s, i, i * 160u, 1000 + i * 160u + late), 0);
  }
  /* |D| is always 32, so J converges to 32 */
  assert_int_equal(rtg_rtp_source_jitter(&s), 31);
  assert_true(s.jitter > 31.9 && s.jitter <= 32.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rtp_parse_rfc7714_vector),
      cmocka_unit_test(test_rtp_parse_browser_extensions),
      cmocka_unit_test(test_rtp_write_round_trip),
      cmocka_unit_test(test_rtp_write_two_byte_form),
      cmocka_unit_test(test_rtp_parse_truncation_sweep),
      cmocka_unit_test(test_rtp_parse_malformed),
      cmocka_unit_test(test_rtcp_parse_rfc7714_sr),
      cmocka_unit_test(test_rtcp_write_round_trip),
      cmocka_unit_test(test_rtcp_parse_truncation_sweep),
      cmocka_unit_test(test_rtcp_parse_malformed),
      cmocka_unit_test(test_rtcp_twcc_get_vector),
      cmocka_unit_test(test_rtcp_ccfb_get_blocks),
      cmocka_unit_test(test_rtcp_xr_next_blocks),
      cmocka_unit_test(test_rtcp_tmmb_get_entry),
      cmocka_unit_test(test_rtp_source_update_probation),
      cmocka_unit_test(test_rtp_source_update_wrap_and_loss),
      cmocka_unit_test(test_rtp_source_update_jitter),
  };
  return cmocka_run_group_tests_name("rtp", tests, NULL, NULL);
}
