/*
 * sctp_test.c - the SCTP packet codec: RFC-layout vectors, a packet made by
 * usrsctp (the oracle), round trips of every chunk type, truncation sweeps
 * and malformed packets with their exact errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <usrsctp.h>

#include "rtg/sctp.h"

/* ---- helpers -------------------------------------------------------------- */

static int parse(const uint8_t *p, size_t n, unsigned flags, struct rtg_sctp_packet *pkt,
                 struct rtg_perr *e) {
  rtg_perr_clear(e);
  return rtg_sctp_packet_parse(p, n, flags, pkt, e);
}

/* Decodes the |idx|-th chunk of a parsed packet. */
static void nth_chunk(const uint8_t *buf, const struct rtg_sctp_packet *pkt, size_t idx,
                      struct rtg_sctp_chunk *c, struct rtg_sctp_chunk_info *info) {
  struct rtg_sctp_chunk_iter it;
  rtg_sctp_chunk_iter_init(&it, buf, pkt);
  for (size_t i = 0; i <= idx; i++) assert_int_equal(rtg_sctp_chunk_next(&it, c, NULL), 1);
  assert_int_equal(rtg_sctp_chunk_decode(c, info, NULL), 0);
}

static void begin_packet(struct rtg_wr *wr, uint8_t *buf, size_t cap, uint32_t vtag) {
  struct rtg_sctp_hdr h = {5000, 5000, vtag, 0};
  rtg_wr_init(wr, buf, cap);
  assert_int_equal(rtg_sctp_hdr_write(wr, &h), 0);
}

static size_t seal(struct rtg_wr *wr) {
  assert_int_equal(rtg_sctp_packet_seal(wr->base, rtg_wr_len(wr), false), 0);
  return rtg_wr_len(wr);
}

/* ---- RFC 9260 layout vector --------------------------------------------------- */

/* An INIT as a WebRTC endpoint sends it (RFC 8831 §6.2: ports 5000), laid
 * out field by field after RFC 9260 §3.3.2, with the parameters of
 * RFC 3758 §3.1, RFC 5061 §4.2.7 and RFC 9653 §4. The checksum is the
 * CRC-32c of the packet with the field zeroed, stored least significant
 * byte first. */
static const uint8_t init_vector[] = {
    0x13, 0x88, 0x13, 0x88, /* ports 5000 -> 5000 */
    0x00, 0x00, 0x00, 0x00, /* verification tag 0 (INIT) */
    0x00, 0x00, 0x00, 0x00, /* checksum: filled by the test */
    0x01, 0x00, 0x00, 0x34, /* INIT, flags 0, length 52 */
    0x11, 0x22, 0x33, 0x44, /* initiate tag */
    0x00, 0x02, 0x00, 0x00, /* a_rwnd 131072 */
    0x04, 0x00, 0x08, 0x00, /* OS 1024, MIS 2048 */
    0x0a, 0x0b, 0x0c, 0x0d, /* initial TSN */
    0xc0, 0x00, 0x00, 0x04, /* Forward-TSN-Supported */
    0x80, 0x08, 0x00, 0x07, /* Supported Extensions, 3 types */
    0x82, 0xc0, 0x40, 0x00, /* RE-CONFIG, FORWARD-TSN, I-DATA, pad */
    0x80, 0x01, 0x00, 0x08, /* Zero Checksum Acceptable */
    0x00, 0x00, 0x00, 0x01, /* EDMID 1: DTLS (RFC 9653 §7) */
    0x80, 0x02, 0x00, 0x0c, /* Random (RFC 4895 §3.1) */
    0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04,
};

static void test_sctp_packet_parse_init_vector(void **state) {
  uint8_t buf[sizeof init_vector];
  struct rtg_sctp_packet pkt;
  struct rtg_sctp_chunk c;
  struct rtg_sctp_chunk_info info;
  struct rtg_perr e;
  uint32_t crc;
  (void)state;
  memcpy(buf, init_vector, sizeof buf);
  crc = rtg_crc32c(0, buf, sizeof buf); /* field is zero here */
  assert_int_equal(rtg_sctp_packet_seal(buf, sizeof buf, false), 0);
  assert_int_equal(buf[8], crc & 0xff);
  assert_int_equal(buf[11], crc >> 24);
  assert_int_equal(parse(buf, sizeof buf, 0, &pkt, &e), 0);
  assert_true(pkt.checksum_ok);
  assert_int_equal(pkt.hdr.src_port, 5000);
  assert_int_equal(pkt.nchunks, 1);
  nth_chunk(buf, &pkt, 0, &c, &info);
  assert_int_equal(c.type, RTG_SCTP_INIT);
  assert_int_equal(c.length, 52);
  assert_int_equal(info.u.init.init_tag, 0x11223344);
  assert_int_equal(info.u.init.a_rwnd, 131072);
  assert_int_equal(info.u.init.os, 1024);
  assert_int_equal(info.u.init.mis, 2048);
  assert_int_equal(info.u.init.initial_tsn, 0x0a0b0c0d);
  assert_true(info.u.init.forward_tsn && info.u.init.reconfig && info.u.init.idata);
  assert_true(info.u.init.zero_checksum);
  assert_int_equal(info.u.init.edmid, 1);
  /* one flipped bit anywhere breaks the checksum */
  buf[20] ^= 0x10;
  assert_int_equal(parse(buf, sizeof buf, 0, &pkt, &e), RTG_ERR_AUTH);
  assert_string_equal(e.field, "sctp.header.checksum");
  assert_int_equal(parse(buf, sizeof buf, RTG_SCTP_PARSE_IGNORE_CHECKSUM, &pkt, &e), 0);
  assert_false(pkt.checksum_ok);
}

/* RFC 9653 §5.3: a zero checksum is only acceptable once negotiated. */
static void test_sctp_packet_parse_zero_checksum(void **state) {
  uint8_t buf[64];
  struct rtg_wr wr;
  struct rtg_sctp_packet pkt;
  struct rtg_perr e;
  size_t n;
  (void)state;
  begin_packet(&wr, buf, sizeof buf, 0x01020304);
  assert_int_equal(rtg_sctp_chunk_write(&wr, RTG_SCTP_COOKIE_ACK, 0, NULL, 0), 0);
  n = rtg_wr_len(&wr);
  assert_int_equal(rtg_sctp_packet_seal(buf, n, true), 0);
  assert_int_equal(parse(buf, n, 0, &pkt, &e), RTG_ERR_AUTH);
  assert_int_equal(parse(buf, n, RTG_SCTP_PARSE_ZERO_CHECKSUM_OK, &pkt, &e), 0);
  assert_true(pkt.checksum_zero);
  assert_int_equal(rtg_sctp_packet_seal(buf, n, false), 0);
  assert_int_equal(parse(buf, n, RTG_SCTP_PARSE_ZERO_CHECKSUM_OK, &pkt, &e), 0);
  assert_true(pkt.checksum_ok && !pkt.checksum_zero);
}

/* ---- the oracle: a real INIT from usrsctp ------------------------------------ */

struct capture {
  uint8_t buf[2048];
  size_t len;
};

static int capture_out(void *addr, void *data, size_t len, uint8_t tos, uint8_t set_df) {
  struct capture *cap = addr;
  (void)tos;
  (void)set_df;
  if (cap->len == 0 && len <= sizeof cap->buf) {
    memcpy(cap->buf, data, len);
    cap->len = len;
  }
  return 0;
}

static void test_sctp_packet_parse_usrsctp_init(void **state) {
  static struct capture cap;
  struct socket *s;
  struct sockaddr_conn sconn;
  struct rtg_sctp_packet pkt;
  struct rtg_sctp_chunk c;
  struct rtg_sctp_chunk_info info;
  struct rtg_perr e;
  (void)state;
  usrsctp_init_nothreads(0, capture_out, NULL);
  usrsctp_sysctl_set_sctp_ecn_enable(0);
  usrsctp_register_address(&cap);
  s = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
  assert_non_null(s);
  usrsctp_set_non_blocking(s, 1);
  memset(&sconn, 0, sizeof sconn);
  sconn.sconn_family = AF_CONN;
  sconn.sconn_port = htons(5000);
  sconn.sconn_addr = &cap;
  assert_int_equal(usrsctp_bind(s, (struct sockaddr *)&sconn, sizeof sconn), 0);
  (void)usrsctp_connect(s, (struct sockaddr *)&sconn, sizeof sconn);
  assert_true(cap.len > 32);
  /* The checksum usrsctp computed must verify with ours. */
  assert_int_equal(parse(cap.buf, cap.len, 0, &pkt, &e), 0);
  assert_true(pkt.checksum_ok);
  assert_int_equal(pkt.hdr.vtag, 0);
  nth_chunk(cap.buf, &pkt, 0, &c, &info);
  assert_int_equal(c.type, RTG_SCTP_INIT);
  assert_true(info.u.init.init_tag != 0);
  assert_true(info.u.init.forward_tsn);
  assert_true(info.u.init.reconfig);
  usrsctp_close(s);
  usrsctp_deregister_address(&cap);
  while (usrsctp_finish() != 0) usrsctp_handle_timers(10);
}

/* ---- round trips ------------------------------------------------------------- */

static void test_sctp_chunk_round_trip_data(void **state) {
  uint8_t buf[256];
  struct rtg_wr wr;
  struct rtg_sctp_packet pkt;
  struct rtg_sctp_chunk c;
  struct rtg_sctp_chunk_info info;
  struct rtg_perr e;
  static const uint8_t payload[] = "hello, data channel";
  struct rtg_sctp_data d = {0};
  size_t n;
  (void)state;
  begin_packet(&wr, buf, sizeof buf, 0xcafe);
  d.tsn = 0xfffffffe;
  d.sid = 7;
  d.ssn = 9;
  d.ppid = RTG_SCTP_PPID_STRING;
  d.begin = d.end = d.unordered = d.immediate = true;
  d.payload.p = payload;
  d.payload.len = 5; /* odd length: padded */
  assert_int_equal(rtg_sctp_data_write(&wr, &d), 0);
  d.idata = true;
  d.begin = false;
  d.mid = 0x12345678;
  d.fsn = 3;
  d.payload.len = sizeof payload;
  assert_int_equal(rtg_sctp_data_write(&wr, &d), 0);
  n = seal(&wr);
  assert_int_equal(n % 4, 0);
  assert_int_equal(parse(buf, n, 0, &pkt, &e), 0);
  assert_int_equal(pkt.nchunks, 2);
  nth_chunk(buf, &pkt, 0, &c, &info);
  assert_int_equal(c.length, 21);
  assert_int_equal(c.flags, 0x0f);
  assert_int_equal(info.u.data.tsn, 0xfffffffe);
  assert_int_equal(info.u.data.sid, 7);
  assert_int_equal(info.u.data.ssn, 9);
  assert_int_equal(info.u.data.ppid, 51);
  assert_int_equal(info.u.data.payload.len, 5);
  assert_memory_equal(info.u.data.payload.p, "hello", 5);
  nth_chunk(buf, &pkt, 1, &c, &info);
  assert_true(info.u.data.idata && !info.u.data.begin && info.u.data.end);
  assert_int_equal(info.u.data.mid, 0x12345678);
  assert_int_equal(info.u.data.fsn, 3);
  assert_int_equal(info.u.data.ppid, 0);
  assert_int_equal(info.u.data.payload.len, sizeof payload);
}

static void test_sctp_chunk_round_trip_control(void **state) {
  uint8_t buf[512], params[64];
  struct rtg_wr wr, pw;
  struct rtg_sctp_packet pkt;
  struct rtg_sctp_chunk c;
  struct rtg_sctp_chunk_info info;
  struct rtg_perr e;
  struct rtg_sctp_init in = {0x5555, 65536, 16, 16, 100, {0}, {0}, 0, 0, 0, 0, 0};
  static const uint16_t gaps[] = {2, 3, 5, 9};
  static const uint32_t dups[] = {99, 98, 97};
  static const uint16_t sids[] = {1, 3};
  static const uint32_t ssns[] = {4, 6};
  static const bool unord[] = {false, true};
  static const uint8_t cookie[] = {1, 2, 3, 4, 5, 6, 7};
  uint8_t hb[12];
  size_t n, m;
  uint16_t s, en;
  uint16_t sid;
  bool u;
  uint32_t mid;
  (void)state;

  /* INIT-ACK with a state cookie, an odd-length last parameter */
  rtg_wr_init(&pw, params, sizeof params);
  assert_int_equal(rtg_sctp_tlv_write(&pw, RTG_SCTP_P_FORWARD_TSN_SUPPORTED, NULL, 0), 0);
  assert_int_equal(rtg_sctp_tlv_write(&pw, RTG_SCTP_P_STATE_COOKIE, cookie, sizeof cookie), 0);
  begin_packet(&wr, buf, sizeof buf, 0x1234);
  assert_int_equal(rtg_sctp_init_write(&wr, RTG_SCTP_INIT_ACK, &in, params, rtg_wr_len(&pw)), 0);
  n = seal(&wr);
  assert_int_equal(parse(buf, n, 0, &pkt, &e), 0);
  nth_chunk(buf, &pkt, 0, &c, &info);
  /* RFC 9260 §3.2: the length leaves out the last parameter's padding */
  assert_int_equal(c.length, 4 + 16 + 4 + 4 + 7);
  assert_int_equal(info.u.init.init_tag, 0x5555);
  assert_int_equal(info.u.init.cookie.len, sizeof cookie);
  assert_memory_equal(info.u.init.cookie.p, cookie, sizeof cookie);
  assert_true(info.u.init.forward_tsn);

  /* a bundle of everything else */
  begin_packet(&wr, buf, sizeof buf, 0x1234);
  assert_int_equal(rtg_sctp_sack_write(&wr, 1000, 5000, gaps, 2, dups, 3), 0);
  memset(hb, 0x42, sizeof hb);
  assert_int_equal(rtg_sctp_chunk_begin(&wr, RTG_SCTP_HEARTBEAT, 0, &m), 0);
  assert_int_equal(rtg_sctp_tlv_write(&wr, RTG_SCTP_P_HEARTBEAT_INFO, hb, sizeof hb), 0);
  assert_int_equal(rtg_sctp_chunk_end(&wr, m), 0);
  assert_int_equal(rtg_sctp_u32_chunk_write(&wr, RTG_SCTP_SHUTDOWN, 777), 0);
  assert_int_equal(rtg_sctp_chunk_write(&wr, RTG_SCTP_SHUTDOWN_ACK, 0, NULL, 0), 0);
  assert_int_equal(rtg_sctp_chunk_write(&wr, RTG_SCTP_COOKIE_ECHO, 0, cookie, sizeof cookie), 0);
  assert_int_equal(rtg_sctp_fwd_write(&wr, false, 2000, sids, NULL, ssns, 2), 0);
  assert_int_equal(rtg_sctp_fwd_write(&wr, true, 3000, sids, unord, ssns, 2), 0);
  assert_int_equal(rtg_sctp_chunk_begin(&wr, RTG_SCTP_ABORT, RTG_SCTP_FLAG_T, &m), 0);
  assert_int_equal(rtg_sctp_tlv_write(&wr, RTG_SCTP_C_USER_ABORT, "bye", 3), 0);
  assert_int_equal(rtg_sctp_chunk_end(&wr, m), 0);
  assert_int_equal(rtg_sctp_u32_chunk_write(&wr, RTG_SCTP_ECNE, 55), 0);
  assert_int_equal(rtg_sctp_chunk_write(&wr, RTG_SCTP_PAD, 0, hb, 6), 0);
  n = seal(&wr);
  assert_int_equal(parse(buf, n, 0, &pkt, &e), 0);
  assert_int_equal(pkt.nchunks, 10);

  nth_chunk(buf, &pkt, 0, &c, &info);
  assert_int_equal(info.u.sack.cum_tsn, 1000);
  assert_int_equal(info.u.sack.a_rwnd, 5000);
  assert_int_equal(info.u.sack.ngaps, 2);
  rtg_sctp_sack_gap(&info.u.sack.gaps, 1, &s, &en);
  assert_int_equal(s, 5);
  assert_int_equal(en, 9);
  assert_int_equal(info.u.sack.ndups, 3);
  assert_int_equal(rtg_sctp_sack_dup(&info.u.sack, 2), 97);
  nth_chunk(buf, &pkt, 1, &c, &info);
  assert_int_equal(c.type, RTG_SCTP_HEARTBEAT);
  assert_int_equal(info.tlvs.len, 16);
  nth_chunk(buf, &pkt, 2, &c, &info);
  assert_int_equal(info.u.cum_tsn, 777);
  nth_chunk(buf, &pkt, 3, &c, &info);
  assert_int_equal(c.type, RTG_SCTP_SHUTDOWN_ACK);
  nth_chunk(buf, &pkt, 4, &c, &info);
  assert_int_equal(info.cookie.len, sizeof cookie);
  nth_chunk(buf, &pkt, 5, &c, &info);
  assert_int_equal(info.u.fwd.new_cum_tsn, 2000);
  assert_int_equal(info.u.fwd.nentries, 2);
  rtg_sctp_fwd_entry(&info.u.fwd, 1, &sid, &u, &mid);
  assert_int_equal(sid, 3);
  assert_int_equal(mid, 6);
  assert_false(u);
  nth_chunk(buf, &pkt, 6, &c, &info);
  assert_true(info.u.fwd.i_forward);
  rtg_sctp_fwd_entry(&info.u.fwd, 1, &sid, &u, &mid);
  assert_true(u);
  assert_int_equal(mid, 6);
  nth_chunk(buf, &pkt, 7, &c, &info);
  assert_int_equal(c.flags, RTG_SCTP_FLAG_T);
  assert_int_equal(info.tlvs.len, 7);
  nth_chunk(buf, &pkt, 8, &c, &info);
  assert_int_equal(info.u.lowest_tsn, 55);
  nth_chunk(buf, &pkt, 9, &c, &info);
  assert_int_equal(c.type, RTG_SCTP_PAD);
}

static void test_sctp_reconf_decode_round_trip(void **state) {
  static const uint16_t sids[] = {2, 4, 6};
  struct rtg_sctp_reconf r[6] = {
      {RTG_SCTP_P_OUT_RESET_REQ, 10, 20, 30, 0, 0, 0, 0, 3, {0}},
      {RTG_SCTP_P_IN_RESET_REQ, 11, 0, 0, 0, 0, 0, 0, 2, {0}},
      {RTG_SCTP_P_TSN_RESET_REQ, 12, 0, 0, 0, 0, 0, 0, 0, {0}},
      {RTG_SCTP_P_RECONFIG_RESP, 13, 0, 0, RTG_SCTP_RR_PERFORMED, 100, 200, 0, 0, {0}},
      {RTG_SCTP_P_ADD_OUT_STREAMS, 14, 0, 0, 0, 0, 0, 5, 0, {0}},
      {RTG_SCTP_P_ADD_IN_STREAMS, 15, 0, 0, 0, 0, 0, 6, 0, {0}},
  };
  (void)state;
  for (size_t i = 0; i < 6; i++) {
    uint8_t buf[128];
    struct rtg_wr wr;
    struct rtg_sctp_packet pkt;
    struct rtg_sctp_chunk c;
    struct rtg_sctp_chunk_info info;
    struct rtg_sctp_tlv t;
    struct rtg_sctp_reconf out;
    struct rtg_rd rd;
    struct rtg_perr e;
    size_t m, n;
    begin_packet(&wr, buf, sizeof buf, 9);
    assert_int_equal(rtg_sctp_chunk_begin(&wr, RTG_SCTP_RECONFIG, 0, &m), 0);
    assert_int_equal(rtg_sctp_reconf_write(&wr, &r[i], sids), 0);
    assert_int_equal(rtg_sctp_chunk_end(&wr, m), 0);
    n = seal(&wr);
    assert_int_equal(parse(buf, n, 0, &pkt, &e), 0);
    nth_chunk(buf, &pkt, 0, &c, &info);
    rtg_rd_init(&rd, info.tlvs.p, info.tlvs.len);
    assert_int_equal(rtg_sctp_tlv_next(&rd, &t, "p", NULL), 1);
    assert_int_equal(rtg_sctp_reconf_decode(&t, &out, NULL), 0);
    assert_int_equal(out.type, r[i].type);
    assert_int_equal(out.req_seq, r[i].req_seq);
    assert_int_equal(out.resp_seq, r[i].resp_seq);
    assert_int_equal(out.last_tsn, r[i].last_tsn);
    assert_int_equal(out.result, r[i].result);
    assert_int_equal(out.sender_next_tsn, r[i].sender_next_tsn);
    assert_int_equal(out.receiver_next_tsn, r[i].receiver_next_tsn);
    assert_int_equal(out.new_streams, r[i].new_streams);
    assert_int_equal(out.nsids, r[i].nsids);
    for (size_t k = 0; k < out.nsids; k++) assert_int_equal(rtg_sctp_reconf_sid(&out, k), sids[k]);
  }
}

/* ---- truncation sweeps --------------------------------------------------------- */

/* Every prefix of a valid packet is rejected: structurally (RTG_ERR_PARSE)
 * or, when a prefix ends on a chunk boundary, by the checksum. */
static void test_sctp_packet_parse_truncation_sweep(void **state) {
  uint8_t buf[sizeof init_vector];
  struct rtg_sctp_packet pkt;
  struct rtg_perr e;
  (void)state;
  memcpy(buf, init_vector, sizeof buf);
  assert_int_equal(rtg_sctp_packet_seal(buf, sizeof buf, false), 0);
  for (size_t len = 0; len < sizeof buf; len++) {
    /* a single-chunk packet cut anywhere is structurally broken */
    assert_int_equal(parse(buf, len, RTG_SCTP_PARSE_IGNORE_CHECKSUM, &pkt, &e), RTG_ERR_PARSE);
    assert_non_null(e.field);
  }
}

static void test_sctp_packet_parse_truncation_sweep_bundle(void **state) {
  uint8_t buf[256];
  struct rtg_wr wr;
  struct rtg_sctp_packet pkt;
  struct rtg_perr e;
  struct rtg_sctp_data d = {0};
  static const uint16_t gaps[] = {2, 3};
  size_t n;
  (void)state;
  begin_packet(&wr, buf, sizeof buf, 77);
  d.tsn = 5;
  d.begin = d.end = true;
  d.payload.p = (const uint8_t *)"abc";
  d.payload.len = 3;
  assert_int_equal(rtg_sctp_data_write(&wr, &d), 0);
  assert_int_equal(rtg_sctp_sack_write(&wr, 4, 1000, gaps, 1, NULL, 0), 0);
  assert_int_equal(rtg_sctp_fwd_write(&wr, false, 8, NULL, NULL, NULL, 0), 0);
  n = seal(&wr);
  assert_int_equal(parse(buf, n, 0, &pkt, &e), 0);
  for (size_t len = 0; len < n; len++) {
    int rc = parse(buf, len, 0, &pkt, &e);
    assert_true(rc == RTG_ERR_PARSE || rc == RTG_ERR_AUTH);
  }
}

/* ---- malformed packets ---------------------------------------------------------- */

struct bad_case {
  const char *name;
  uint8_t bytes[48];
  size_t len;
  int rc;
  const char *field;
  size_t offset;
};

static void test_sctp_packet_parse_malformed(void **state) {
  static const struct bad_case cases[] = {
      {"short header", {0x13, 0x88}, 2, RTG_ERR_PARSE, "sctp.header", 0},
      {"no chunks",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0},
       12,
       RTG_ERR_PARSE,
       "sctp.chunk",
       12},
      {"chunk length 3",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0, 11, 0, 0, 3},
       16,
       RTG_ERR_PARSE,
       "sctp.chunk.length",
       14},
      {"chunk overruns",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0, 11, 0, 0, 8},
       16,
       RTG_ERR_PARSE,
       "sctp.chunk.length",
       14},
      {"padding missing",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0, 10, 0, 0, 5, 0xaa},
       17,
       RTG_ERR_PARSE,
       "sctp.chunk.padding",
       17},
      {"cookie ack with a value",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0, 11, 0, 0, 8, 0, 0, 0, 0},
       20,
       RTG_ERR_PARSE,
       "sctp.cookie_ack.length",
       14},
      {"DATA without user data",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0, 0, 3,
        0,    16,   0,    0,    0, 1, 0, 0, 0, 0, 0, 0, 0, 51},
       28,
       RTG_ERR_PARSE,
       "sctp.data.length",
       14},
      {"INIT tag 0",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 20,
        0,    0,    0,    0,    0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1},
       32,
       RTG_ERR_PARSE,
       "sctp.init.initiate_tag",
       16},
      {"INIT with vtag",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 9, 0, 0, 0, 0, 1, 0, 0, 20,
        0,    0,    0,    7,    0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1},
       32,
       RTG_ERR_PARSE,
       "sctp.header.vtag",
       4},
      {"INIT bundled",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 0, 0, 0, 0, 0, 11, 0, 0, 4, 1, 0,
        0,    20,   0,    0,    0, 7, 0, 1, 0, 0, 0, 1, 0,  1, 0, 0, 0, 1},
       36,
       RTG_ERR_PARSE,
       "sctp.bundling",
       16},
      {"INIT-ACK without cookie",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 5, 0, 0, 0, 0, 2, 0, 0, 20,
        0,    0,    0,    7,    0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1},
       32,
       RTG_ERR_PARSE,
       "sctp.init_ack.state_cookie",
       12},
      {"SACK counts",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0, 3, 0,
        0,    16,   0,    0,    0, 1, 0, 0, 1, 0, 0, 1, 0, 0},
       28,
       RTG_ERR_PARSE,
       "sctp.sack.length",
       14},
      {"SACK gap start after end",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0, 3, 0, 0, 20,
        0,    0,    0,    1,    0, 0, 1, 0, 0, 1, 0, 0, 0, 5, 0, 4},
       32,
       RTG_ERR_PARSE,
       "sctp.sack.gap",
       28},
      {"parameter overruns",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0, 4, 0, 0, 12, 0, 1, 0, 9, 0, 0, 0, 0},
       24,
       RTG_ERR_PARSE,
       "sctp.heartbeat.info",
       18},
      {"HEARTBEAT without info",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0, 4, 0, 0, 8, 0, 9, 0, 4},
       20,
       RTG_ERR_PARSE,
       "sctp.heartbeat.info",
       16},
      {"RE-CONFIG unknown parameter",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0, 130, 0, 0, 8, 0, 5, 0, 4},
       20,
       RTG_ERR_PARSE,
       "sctp.reconf.type",
       16},
      {"RE-CONFIG odd stream list",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0, 130, 0,
        0,    13,   0,    14,   0, 9, 0, 0, 0, 1, 0, 0, 0,   0},
       28,
       RTG_ERR_PARSE,
       "sctp.reconf.streams",
       24},
      {"FORWARD-TSN partial entry",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0, 192, 0, 0, 10, 0, 0, 0, 1, 0, 1, 0, 0},
       24,
       RTG_ERR_PARSE,
       "sctp.forward_tsn.length",
       14},
      {"stale cookie cause too short",
       {0x13, 0x88, 0x13, 0x88, 0, 0, 0, 1, 0, 0, 0, 0, 6, 0, 0, 8, 0, 3, 0, 4},
       20,
       RTG_ERR_PARSE,
       "sctp.cause.length",
       18},
  };
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct rtg_sctp_packet pkt;
    struct rtg_perr e;
    int rc = parse(cases[i].bytes, cases[i].len, RTG_SCTP_PARSE_IGNORE_CHECKSUM, &pkt, &e);
    if (rc != cases[i].rc || e.field == NULL || strcmp(e.field, cases[i].field) != 0 ||
        e.offset != cases[i].offset)
      fail_msg("%s: rc %d field %s offset %zu", cases[i].name, rc, e.field ? e.field : "-",
               e.offset);
    assert_non_null(e.ref);
  }
}

static void test_sctp_names(void **state) {
  (void)state;
  assert_string_equal(rtg_sctp_chunk_name(RTG_SCTP_I_FORWARD_TSN), "I_FORWARD_TSN");
  assert_string_equal(rtg_sctp_chunk_name(200), "unknown");
  assert_string_equal(rtg_sctp_param_name(RTG_SCTP_P_ZERO_CHECKSUM), "zero_checksum_acceptable");
  assert_string_equal(rtg_sctp_cause_name(RTG_SCTP_C_USER_ABORT), "user_initiated_abort");
  assert_string_equal(rtg_sctp_ppid_name(57), "webrtc_binary_empty");
  assert_true(rtg_sctp_ppid_deprecated(52) && rtg_sctp_ppid_deprecated(54));
  assert_false(rtg_sctp_ppid_deprecated(53));
}

/* Writers refuse what they cannot encode and never write past the buffer. */
static void test_sctp_write_nobuf(void **state) {
  uint8_t buf[64];
  struct rtg_sctp_data d = {0};
  (void)state;
  d.payload.p = buf;
  d.payload.len = 40;
  for (size_t cap = 0; cap < 16 + 40; cap++) {
    struct rtg_wr wr;
    rtg_wr_init(&wr, buf, cap);
    assert_int_equal(rtg_sctp_data_write(&wr, &d), RTG_ERR_NOBUF);
    assert_int_equal(rtg_wr_len(&wr), 0);
  }
  d.payload.len = 0;
  {
    struct rtg_wr wr;
    rtg_wr_init(&wr, buf, sizeof buf);
    assert_int_equal(rtg_sctp_data_write(&wr, &d), RTG_ERR_INVAL);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sctp_packet_parse_init_vector),
      cmocka_unit_test(test_sctp_packet_parse_zero_checksum),
      cmocka_unit_test(test_sctp_packet_parse_usrsctp_init),
      cmocka_unit_test(test_sctp_chunk_round_trip_data),
      cmocka_unit_test(test_sctp_chunk_round_trip_control),
      cmocka_unit_test(test_sctp_reconf_decode_round_trip),
      cmocka_unit_test(test_sctp_packet_parse_truncation_sweep),
      cmocka_unit_test(test_sctp_packet_parse_truncation_sweep_bundle),
      cmocka_unit_test(test_sctp_packet_parse_malformed),
      cmocka_unit_test(test_sctp_names),
      cmocka_unit_test(test_sctp_write_nobuf),
  };
  return cmocka_run_group_tests_name("sctp", tests, NULL, NULL);
}
